"""The PEM checks of options/files.py and the one line `fail` prints."""
from __future__ import annotations

from pathlib import Path

import pytest

from apiserver.options.errors import ConfigError
from apiserver.options.files import ca_context, certificates, check_key_pair
from apiserver.options.flags import fail
from certs.pki import PkiPaths, ensure_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiPaths:
    return ensure_pki(tmp_path_factory.mktemp("pki"), "testnode")


def test_a_pair_that_belongs_together(pki):
    check_key_pair("--tls-cert-file", pki.apiserver_cert, "--tls-private-key-file", pki.apiserver_key)


def test_a_key_that_is_not_the_certificates(pki):
    with pytest.raises(ConfigError) as caught:
        check_key_pair("--tls-cert-file", pki.ca_cert, "--tls-private-key-file", pki.apiserver_key)
    assert str(caught.value) == (f"--tls-cert-file/--tls-private-key-file: cannot load {pki.ca_cert} and "
                                 f"{pki.apiserver_key}: tls: private key does not match public key")


@pytest.mark.parametrize("swap", ["cert", "key"])
def test_each_half_is_named_by_its_own_flag(pki, swap):
    cert, key = (pki.apiserver_key, pki.apiserver_key) if swap == "cert" else (pki.apiserver_cert, pki.apiserver_cert)
    flag = "--kubelet-client-certificate" if swap == "cert" else "--kubelet-client-key"
    with pytest.raises(ConfigError, match=f"^{flag}: cannot load "):
        check_key_pair("--kubelet-client-certificate", cert, "--kubelet-client-key", key)


def test_a_bundle_needs_a_certificate(tmp_path: Path, pki):
    assert len(certificates("--client-ca-file", pki.ca_cert)) == 1
    empty = tmp_path / "empty.crt"
    empty.write_bytes(b"")
    with pytest.raises(ConfigError, match=f"^--client-ca-file: cannot load {empty}: "):
        certificates("--client-ca-file", empty)
    with pytest.raises(ConfigError, match=f"^--oidc-ca-file: cannot read {tmp_path / 'none'}: No such file"):
        ca_context("--oidc-ca-file", tmp_path / "none")


def test_fail_prints_one_line(capsys):
    with pytest.raises(SystemExit) as exited:
        fail('--x: error decoding "f": while parsing\n  in "<byte string>", line 1\n\nexpected a mapping')
    assert exited.value.code == 1
    assert capsys.readouterr().err == ('Error: --x: error decoding "f": while parsing in "<byte string>", line 1 '
                                       "expected a mapping\n")
