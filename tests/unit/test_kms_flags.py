"""The two KMS v2 timing flags (not kube's: kube hardcodes 1m and 3m)."""
from __future__ import annotations

import pytest

from apiserver.options.errors import ConfigError
from apiserver.options.flags import parse_flags


@pytest.fixture
def base(tmp_path) -> list[str]:
    for name in ("cert", "key"):
        (tmp_path / name).write_text(name)
    return ["--etcd-servers=https://127.0.0.1:2379", f"--tls-cert-file={tmp_path / 'cert'}",
            f"--tls-private-key-file={tmp_path / 'key'}"]


def test_defaults_are_kubes_constants(base):
    config = parse_flags(base)
    assert (config.encryption.kms_v2_status_interval, config.encryption.kms_v2_write_dek_max_ttl) == (60.0, 180.0)
    config = parse_flags([*base, "--encryption-kms-v2-status-interval=1s", "--encryption-kms-v2-write-dek-max-ttl=3s"])
    assert (config.encryption.kms_v2_status_interval, config.encryption.kms_v2_write_dek_max_ttl) == (1.0, 3.0)


@pytest.mark.parametrize("flags", [["--encryption-kms-v2-status-interval=5m"],
                                   ["--encryption-kms-v2-status-interval=0s"],
                                   ["--encryption-kms-v2-write-dek-max-ttl=1m"]])
def test_the_seed_must_outlive_a_poll(base, flags):
    with pytest.raises(ConfigError, match="0 < --encryption-kms-v2-status-interval < --encryption-kms-v2-write-dek"):
        parse_flags([*base, *flags])
