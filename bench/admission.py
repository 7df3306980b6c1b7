"""What admission costs: Pod creates/s through a replica with kube's default plugins and through one with one
no-op validating webhook on pods (on top of the defaults), each as a ratio to a replica with every plugin
turned off, measured in turns against the same etcd cluster. `python -m bench` runs this after its other
measurements; `python -m bench.admission` runs it alone."""
from __future__ import annotations

import asyncio
import base64
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import uvloop

from apiserver.options.admission import DEFAULT_ON
from bench.measure import Collection, Result, in_turns, print_ratios, replicas, run_alone
from certs.pki import CertKeyPair, PkiPaths, issue_serving_cert
from cluster.replica import client_context, free_port, stop_process
from etcd.launcher import EtcdCluster

FLAGS = {
    "none": [f"--disable-admission-plugins={','.join(sorted(DEFAULT_ON))}"],
    "default": [],
    "webhook": [],
}


def _pod(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "bench"}},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.27",
                                     "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}


def _webhook_configuration(port: int, ca: bytes) -> dict[str, Any]:
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
            "metadata": {"name": "bench-noop"},
            "webhooks": [{"name": "noop.bench.example.com", "sideEffects": "None",
                          "admissionReviewVersions": ["v1"], "failurePolicy": "Fail",
                          "clientConfig": {"url": f"https://127.0.0.1:{port}/",
                                           "caBundle": base64.b64encode(ca).decode()},
                          "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                                     "resources": ["pods"]}]}]}


async def _post(session: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> None:
    async with session.post(url, data=orjson.dumps(body), headers={"Content-Type": "application/json"}) as resp:
        assert resp.status == 201, await resp.text()


async def _measure(urls: dict[str, str], pki: PkiPaths, webhook_port: int, seconds: float,
                   concurrency: int) -> list[Result]:
    connector = aiohttp.TCPConnector(ssl=client_context(pki), limit=concurrency * len(urls))
    async with aiohttp.ClientSession(connector=connector) as session:
        await _post(session, f"{urls['webhook']}/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
                    _webhook_configuration(webhook_port, pki.ca_cert.read_bytes()))
        targets = [Collection(name, url, session, "api/v1/pods", _pod) for name, url in urls.items()]
        for target in targets:
            await target.setup()
            # the ServiceAccount plugin needs the namespace's default ServiceAccount, made just after it
            for _ in range(100):
                async with session.get(f"{target.url}/api/v1/namespaces/{target.namespace}/serviceaccounts/"
                                       "default") as resp:
                    if resp.status == 200:
                        break
                await asyncio.sleep(0.1)
        return await in_turns(targets, seconds, concurrency, setup=False)


def bench_admission(cluster: EtcdCluster, pki: PkiPaths, root: Path, seconds: float,
                    concurrency: int) -> list[Result]:
    pair = issue_serving_cert(CertKeyPair(root / "webhook.crt", root / "webhook.key"),
                              CertKeyPair(pki.ca_cert, pki.ca_key), "bench-webhook", ip_addresses=("127.0.0.1",))
    port = free_port()
    webhook = subprocess.Popen([sys.executable, "-m", "bench.noop_webhook", f"--port={port}", f"--cert={pair.cert}",
                                f"--key={pair.key}"])
    try:
        with replicas(cluster, pki, root, FLAGS) as urls:
            return uvloop.run(_measure(urls, pki, port, seconds, concurrency))
    finally:
        stop_process(webhook.pid)


def print_admission(results: list[Result]) -> None:
    print_ratios("Pod creates and GETs through a replica with no admission plugins, kube's default plugins, and "
                 "the defaults plus one no-op validating webhook on pod creates:", results, "none",
                 ["default", "webhook"])


def main() -> None:
    run_alone("python -m bench.admission", "pykube-admbench-", bench_admission, print_admission)


if __name__ == "__main__":
    main()
