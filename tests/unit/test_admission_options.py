"""The admission flags: kube's names, order and defaults, its flag checks and the AdmissionConfiguration file."""
from __future__ import annotations

from pathlib import Path

import pytest

from apiserver.admission.build import FACTORIES, INERT
from apiserver.options.admission import DEFAULT_ON, ORDER, AdmissionOptions, read_config_file
from apiserver.options.errors import ConfigError
from apiserver.options.flags import parse_flags

HEADER = "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\n"


@pytest.fixture
def base(tmp_path: Path) -> list[str]:
    for name in ("cert", "key"):
        (tmp_path / name).write_text(name)
    return ["--etcd-servers=https://127.0.0.1:2379", f"--tls-cert-file={tmp_path / 'cert'}",
            f"--tls-private-key-file={tmp_path / 'key'}"]


def test_defaults_run_in_kube_order() -> None:
    enabled = AdmissionOptions().enabled
    assert set(enabled) == DEFAULT_ON
    assert enabled == sorted(enabled, key=ORDER.index)
    assert enabled[0] == "NamespaceLifecycle" and enabled[-1] == "ResourceQuota"
    assert enabled.index("MutatingAdmissionWebhook") < enabled.index("ValidatingAdmissionWebhook")


def test_enable_and_disable_keep_the_fixed_order(base) -> None:
    config = parse_flags(base + ["--enable-admission-plugins=AlwaysPullImages,NodeRestriction",
                                 "--disable-admission-plugins=LimitRanger,ResourceQuota"])
    enabled = config.admission.enabled
    assert "LimitRanger" not in enabled and "ResourceQuota" not in enabled
    # named in the other order on the command line, run in kube's
    assert enabled.index("NodeRestriction") < enabled.index("AlwaysPullImages")
    assert enabled.index("ServiceAccount") < enabled.index("NodeRestriction")


@pytest.mark.parametrize(("flags", "message"), [
    (["--enable-admission-plugins=Bogus"], 'enable-admission-plugins plugin "Bogus" is unknown'),
    (["--disable-admission-plugins=Nope"], 'disable-admission-plugins plugin "Nope" is unknown'),
    (["--enable-admission-plugins=PodSecurity,LimitRanger", "--disable-admission-plugins=LimitRanger,PodSecurity"],
     "[LimitRanger PodSecurity] in enable-admission-plugins and disable-admission-plugins overlapped"),
])
def test_kube_flag_errors(base, flags, message) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_flags(base + flags)
    assert str(caught.value) == message


def test_config_file_inline_and_by_path(tmp_path: Path) -> None:
    (tmp_path / "psa.yaml").write_text("apiVersion: pod-security.admission.config.k8s.io/v1\n"
                                       "kind: PodSecurityConfiguration\ndefaults: {enforce: baseline}\n")
    path = tmp_path / "admission.yaml"
    path.write_text("""apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  path: psa.yaml
- name: EventRateLimit
  configuration:
    kind: Configuration
    limits: [{type: Server, qps: 5, burst: 10}]
""")
    configs = read_config_file(path)
    assert configs["PodSecurity"]["defaults"] == {"enforce": "baseline"}
    assert configs["EventRateLimit"]["limits"][0]["qps"] == 5


@pytest.mark.parametrize(("text", "message"), [
    ("kind: Pod\n", "is not an AdmissionConfiguration"),
    ("apiVersion: v9\nkind: AdmissionConfiguration\n", "unsupported apiVersion 'v9'"),
    (HEADER + "plugins: [{name: Nope, configuration: {}}]\n", "unknown admission plugin 'Nope'"),
    (HEADER + "plugins: [{name: PodSecurity, path: gone.yaml}]\n", "cannot read"),
])
def test_bad_config_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "admission.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        read_config_file(path)
    assert message in str(caught.value)


def test_every_kube_name_has_a_plugin_or_is_inert() -> None:
    assert set(ORDER) == set(FACTORIES) | set(INERT) and not set(FACTORIES) & set(INERT)
