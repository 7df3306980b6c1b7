"""--storage-media-type: what each encoding costs. Creates/s and GETs/s of Pods through one replica per
media type against the same etcd cluster, in turns, then (with nothing else running) bytes in etcd and codec
time per object for a Pod, a Deployment and a ConfigMap as the server stores them; everything as ratios to
application/json from the same run.

GETs carry no resourceVersion, so each one is read from etcd and decoded. `python -m bench` runs this after
its other measurements; `python -m bench.media_type` runs it alone.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import uvloop

from apiserver.storage.codec import decode, encode
from apiserver.storage.media_type import JSON, MEDIA_TYPES, PROTOBUF, YAML
from bench.measure import Result, compare, print_ratios, replicas, run_alone
from certs.pki import PkiPaths
from etcd.launcher import EtcdCluster

_META = {"namespace": "default", "uid": "5f0c8d2a-3b1e-4c7a-9e7d-2a6b9f1c0e44",
         "creationTimestamp": "2026-12-03T20:00:00Z"}
_CONTAINER = {"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80, "protocol": "TCP"}],
              "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
              "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
              "imagePullPolicy": "IfNotPresent"}
_POD_SPEC = {"containers": [_CONTAINER], "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
             "dnsPolicy": "ClusterFirst", "securityContext": {}, "schedulerName": "default-scheduler",
             "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority", "priority": 0}
# as the server stores them: defaulted, with the fields the server sets
OBJECTS: dict[str, dict[str, Any]] = {
    "Pod": {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-7d4b9c8f6-x2x9q", "labels": {"app": "web", "pod-template-hash": "7d4b9c8f6"},
                         **_META},
            "spec": {**_POD_SPEC, "serviceAccountName": "default", "nodeName": "node-1"},
            "status": {"phase": "Running", "qosClass": "Burstable", "hostIP": "10.0.0.4", "podIP": "10.244.1.7",
                       "startTime": "2026-12-03T20:00:01Z",
                       "conditions": [{"type": "Ready", "status": "True",
                                       "lastTransitionTime": "2026-12-03T20:00:05Z"}]}},
    "Deployment": {"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "web", "generation": 1, "labels": {"app": "web"}, **_META},
                   "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                            "template": {"metadata": {"labels": {"app": "web"}}, "spec": _POD_SPEC},
                            "strategy": {"type": "RollingUpdate",
                                         "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                            "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
                   "status": {"observedGeneration": 1, "replicas": 3, "readyReplicas": 3,
                              "availableReplicas": 3, "updatedReplicas": 3}},
    "ConfigMap": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", **_META},
                  "data": {"app.properties": "x" * 1000, "mode": "production"}},
}
LOOP = 0.05   # seconds of one timing; each is taken in several rounds, interleaved, and the best kept
CODEC_ROUNDS = 7
SHORT = {JSON: "json", PROTOBUF: "protobuf", YAML: "yaml"}


def _per_call(fn: Callable[[], Any]) -> float:
    """Microseconds per call, from calls repeated for LOOP seconds."""
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < LOOP:
        for _ in range(20):
            fn()
        calls += 20
    return elapsed / calls * 1e6


def bench_codec() -> list[tuple[str, str, int, float, float]]:
    """(kind, media type, stored bytes, encode µs, decode µs) for every object and media type; the best of
    several interleaved rounds, since other load on the machine only ever adds time."""
    cases = [(kind, media_type, obj, encode(obj, media_type)) for kind, obj in OBJECTS.items()
             for media_type in MEDIA_TYPES]
    best: dict[tuple[str, str], tuple[float, float]] = {}
    for _ in range(CODEC_ROUNDS):
        for kind, media_type, obj, data in cases:
            encode_us, decode_us = _per_call(partial(encode, obj, media_type)), _per_call(partial(decode, data, 7))
            seen_encode, seen_decode = best.get((kind, media_type), (encode_us, decode_us))
            best[(kind, media_type)] = (min(seen_encode, encode_us), min(seen_decode, decode_us))
    return [(kind, media_type, len(data), *best[(kind, media_type)]) for kind, media_type, _, data in cases]


def _pod(name: str) -> dict:
    return {"metadata": {"name": name, "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
                                     "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]}}


def bench_media_types(cluster: EtcdCluster, pki: PkiPaths, root: Path, seconds: float,
                      concurrency: int) -> list[Result]:
    flags = {SHORT[media_type]: [f"--storage-media-type={media_type}"] for media_type in MEDIA_TYPES}
    with replicas(cluster, pki, root, flags) as urls:
        return uvloop.run(compare(urls, pki, "api/v1/pods", _pod, seconds, concurrency))


def print_media_types(served: list[Result]) -> None:
    print_ratios("Pods through a replica per media type (in turns; GETs read from etcd and decoded):", served,
                 SHORT[JSON], [SHORT[m] for m in MEDIA_TYPES if m != JSON])
    codec = bench_codec()
    print("Storage media types, per object as stored (ratios to application/json, same run):")
    json_rows = {kind: row for kind, media_type, *row in codec if media_type == JSON}
    print(f"  {'object':<11} {'media type':<36} {'bytes':>6} {'encode µs':>10} {'decode µs':>10}"
          f"   {'bytes':>5} {'enc':>6} {'dec':>6}")
    for kind, media_type, size, enc, dec in codec:
        base_size, base_enc, base_dec = json_rows[kind]
        print(f"  {kind:<11} {media_type:<36} {size:6d} {enc:10.1f} {dec:10.1f}"
              f"   {size / base_size:5.2f} {enc / base_enc:6.1f} {dec / base_dec:6.1f}")


def main() -> None:
    run_alone("python -m bench.media_type", "pykube-mtbench-", bench_media_types, print_media_types,
              "concurrency {concurrency}, {seconds:.0f}s per measurement, 3-member etcd, mTLS")


if __name__ == "__main__":
    main()
