"""Bad start-up conditions: `python -m apiserver` exits with status 1 and ONE stderr line naming the problem."""
from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from certs.pki import PkiPaths
from cluster.replica import ReplicaSpec, free_port

ROOT = Path(__file__).resolve().parents[2]
# a failing start must be quick; etcd's dial timeout is the slowest case
EXIT_WITHIN = 15.0
# when a run that should end counts as hung: far longer than any start takes, even on a busy machine
HUNG_AFTER = 60.0


def command(pki: PkiPaths, etcd_servers: str, port: int, *extra: str) -> list[str]:
    """A complete, valid command line (the one `make up` uses), with `extra` flags after it; argparse lets the
    last occurrence of a flag win, so `extra` can override any of them."""
    spec = ReplicaSpec(pki=pki, etcd_servers=etcd_servers, port=port, log_file=Path(os.devnull),
                       extra_flags=[f"--etcd-prefix=/startup-{uuid.uuid4().hex[:8]}", *extra])
    return spec.command()


def run(argv: list[str], timeout: float = HUNG_AFTER) -> tuple[int, str, str, float]:
    """Runs the server to its end; kills it (and waits for it) if it outlives `timeout`."""
    started = time.monotonic()
    process = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        pytest.fail(f"apiserver still running after {timeout:.0f}s; stderr so far:\n{stderr.decode(errors='replace')}")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, stdout.decode(errors="replace"), stderr.decode(errors="replace"), \
        time.monotonic() - started


def assert_one_line_failure(returncode: int, stderr: str, *fragments: str) -> str:
    lines = stderr.splitlines()
    assert returncode == 1, f"exit status {returncode}, stderr:\n{stderr}"
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{stderr}"
    line = lines[0]
    assert line.startswith("Error: "), line
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    return line


@pytest.fixture
def dead_etcd() -> str:
    """An etcd URL on a loopback port nothing listens on (flag errors are found before etcd is dialled)."""
    return f"https://127.0.0.1:{free_port()}"


@pytest.fixture
def silent_etcd() -> Iterator[socket.socket]:
    """A socket listening as etcd that never accepts: whoever dials it is left in its accept queue."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener


def url_of(listener: socket.socket) -> str:
    return f"https://127.0.0.1:{listener.getsockname()[1]}"


def dialled(listener: socket.socket) -> bool:
    """Whether a connection reached the listener (a connection closed since stays queued)."""
    listener.setblocking(False)
    try:
        connection, _ = listener.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


def test_invalid_flag_value(pki, dead_etcd):
    returncode, stdout, stderr, _ = run(command(pki, dead_etcd, free_port(), "--secure-port=abc"))
    line = assert_one_line_failure(returncode, stderr, "--secure-port", "abc")
    assert line == "Error: argument --secure-port: invalid port 'abc'"
    assert stdout == ""


def test_unknown_flag(pki, dead_etcd):
    returncode, stdout, stderr, _ = run(command(pki, dead_etcd, free_port(), "--no-such-flag=1"))
    line = assert_one_line_failure(returncode, stderr, "--no-such-flag")
    assert line == "Error: unrecognized arguments: --no-such-flag=1"
    assert stdout == ""


def test_missing_etcd_servers(pki):
    argv = [a for a in command(pki, "x", free_port()) if not a.startswith("--etcd-servers=")]
    returncode, _, stderr, _ = run(argv)
    assert assert_one_line_failure(returncode, stderr) == "Error: --etcd-servers must be specified"


def test_unreadable_tls_cert_file(pki, dead_etcd, tmp_path):
    missing = tmp_path / "no-such-cert.pem"
    returncode, stdout, stderr, _ = run(command(pki, dead_etcd, free_port(), f"--tls-cert-file={missing}"))
    line = assert_one_line_failure(returncode, stderr, "--tls-cert-file", str(missing))
    assert line == f"Error: --tls-cert-file: cannot read {missing}: No such file or directory"
    assert stdout == ""


@pytest.mark.parametrize("content", [b"this is not a certificate\n", b"",
                                     b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"])
def test_garbage_tls_cert_file(pki, silent_etcd, tmp_path, content):
    garbage = tmp_path / "garbage.crt"
    garbage.write_bytes(content)
    returncode, _, stderr, _ = run(command(pki, url_of(silent_etcd), free_port(), f"--tls-cert-file={garbage}"))
    assert_one_line_failure(returncode, stderr, "--tls-cert-file", "cannot load")
    assert not dialled(silent_etcd), "the certificate is checked before etcd is dialled"


def test_key_that_does_not_match_the_certificate(pki, dead_etcd):
    # the CA's certificate with the serving key: a readable, well-formed pair that does not belong together
    returncode, _, stderr, _ = run(command(pki, dead_etcd, free_port(), f"--tls-cert-file={pki.ca_cert}"))
    assert_one_line_failure(returncode, stderr, "--tls-cert-file", "cannot load")


def test_garbage_client_ca_file(pki, dead_etcd, tmp_path):
    garbage = tmp_path / "ca.crt"
    garbage.write_text("not a CA bundle\n")
    returncode, _, stderr, _ = run(command(pki, dead_etcd, free_port(), f"--client-ca-file={garbage}"))
    assert_one_line_failure(returncode, stderr, "--client-ca-file", "cannot load")


def test_port_already_in_use(pki, etcd_cluster):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        returncode, _, stderr, _ = run(command(pki, etcd_cluster.servers_flag, port, "--bind-address=127.0.0.1"),
                                       timeout=30)
    line = assert_one_line_failure(returncode, stderr, f"127.0.0.1:{port}", "address already in use")
    assert line == f"Error: failed to listen on 127.0.0.1:{port}: address already in use"


def test_etcd_not_reachable(pki, dead_etcd):
    returncode, _, stderr, elapsed = run(command(pki, dead_etcd, free_port()), timeout=EXIT_WITHIN + 5)
    line = assert_one_line_failure(returncode, stderr, "cannot reach etcd", dead_etcd)
    assert line.count(dead_etcd) == 1 and line.count("cannot reach etcd") == 1, line
    assert elapsed < EXIT_WITHIN, f"took {elapsed:.1f}s to give up on etcd"


def test_bad_encryption_provider_config(pki, silent_etcd, tmp_path):
    config = tmp_path / "enc.yaml"
    config.write_text("apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
                      "  - resources: [secrets]\n    providers: [{aescbc: {keys: [{name: k, secret: c2hvcnQ=}]}}]\n")
    returncode, _, stderr, _ = run(command(pki, url_of(silent_etcd), free_port(),
                                           f"--encryption-provider-config={config}"))
    line = assert_one_line_failure(returncode, stderr)
    assert line == ('Error: --encryption-provider-config: error while parsing file: resources[0].providers[0].aescbc.'
                    'keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 5, expected '
                    "one of [16 24 32]")
    assert not dialled(silent_etcd), "the file is read before etcd is dialled"



GARBAGE = b"this is not what the flag wants\n"
BINARY = bytes(range(256))
BAD_PEM_BODY = b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
BAD_YAML = b"clusters: [unclosed\n  - {\n"


def constant(content: bytes) -> Callable[[PkiPaths], bytes]:
    return lambda pki: content


def pem(of: Callable[[PkiPaths], Path]) -> Callable[[PkiPaths], bytes]:
    return lambda pki: of(pki).read_bytes()


@dataclass(frozen=True)
class BadFile:
    flag: str
    content: Callable[[PkiPaths], bytes]
    # the flag's value, around the malformed file
    value: str = "{file}"
    # other flags without which the flag is refused before its file is read
    needs: tuple[str, ...] = ()

    def argv(self, pki: PkiPaths, directory: Path) -> list[str]:
        path = directory / "malformed"
        path.write_bytes(self.content(pki))
        return [*self.needs, f"{self.flag}={self.value.format(file=path, key=pki.apiserver_key)}"]


# every flag that names a file, pointed at garbage, a PEM of the wrong kind, a key that is not the certificate's,
# a CSV with a bad line, invalid YAML, YAML of the wrong shape, or a line that is not JSON
BAD_FILES = [
    BadFile("--etcd-cafile", constant(GARBAGE)),
    BadFile("--etcd-certfile", pem(lambda pki: pki.etcd_client_key)),
    BadFile("--etcd-keyfile", pem(lambda pki: pki.etcd_client_cert)),
    BadFile("--tls-cert-file", pem(lambda pki: pki.apiserver_key)),
    BadFile("--tls-private-key-file", constant(BINARY)),
    BadFile("--tls-sni-cert-key", constant(GARBAGE), value="{file},{key}"),
    BadFile("--client-ca-file", pem(lambda pki: pki.ca_key)),
    BadFile("--kubelet-client-certificate", constant(GARBAGE)),
    BadFile("--kubelet-client-key", pem(lambda pki: pki.apiserver_key)),
    BadFile("--proxy-client-cert-file", constant(b"")),
    BadFile("--proxy-client-key-file", constant(BAD_PEM_BODY)),
    BadFile("--token-auth-file", constant(b"good,alice,1\njust-a-token\n")),
    BadFile("--token-auth-file", constant(BINARY)),
    BadFile("--requestheader-client-ca-file", constant(GARBAGE)),
    BadFile("--oidc-ca-file", constant(BAD_PEM_BODY),
            needs=("--oidc-issuer-url=https://issuer.example", "--oidc-client-id=c")),
    BadFile("--authentication-token-webhook-config-file", constant(BAD_YAML)),
    BadFile("--authentication-token-webhook-config-file", constant(b"clusters: {a: 1}\n")),
    BadFile("--service-account-key-file", constant(BAD_PEM_BODY)),
    BadFile("--service-account-key-file", constant(GARBAGE)),
    BadFile("--service-account-signing-key-file", pem(lambda pki: pki.apiserver_cert)),
    BadFile("--authorization-policy-file", constant(b"{not json\n"), needs=("--authorization-mode=ABAC",)),
    BadFile("--authorization-webhook-config-file", constant(b"- a\n"), needs=("--authorization-mode=Webhook",)),
    BadFile("--authorization-webhook-config-file", constant(BINARY), needs=("--authorization-mode=Webhook",)),
    BadFile("--encryption-provider-config", constant(BAD_YAML)),
]


@pytest.mark.parametrize("bad", BAD_FILES, ids=[f"{bad.flag}-{i}" for i, bad in enumerate(BAD_FILES)])
def test_every_malformed_file_is_one_line(pki, dead_etcd, tmp_path, bad):
    # etcd is not there: a line naming the flag also shows that the file was read before etcd was dialled
    returncode, stdout, stderr, _ = run(command(pki, dead_etcd, free_port(), *bad.argv(pki, tmp_path)))
    assert "Traceback" not in stderr, stderr
    assert_one_line_failure(returncode, stderr, bad.flag)
    assert stdout == ""
