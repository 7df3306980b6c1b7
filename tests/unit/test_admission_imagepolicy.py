"""ImagePolicyWebhook's configuration (kube's defaults, sentinels, bounds and start-up errors), its review spec
and its answer cache."""
from __future__ import annotations

from pathlib import Path

import pytest

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugins import imagepolicywebhook as ipw
from apiserver.options.errors import ConfigError
from apiserver.registry.catalogue import CATALOGUE
from apiserver.request.user import UserInfo

PODS = next(row for row in CATALOGUE if row.group == "" and row.plural == "pods")
PREFIX = 'couldn\'t init admission plugin "ImagePolicyWebhook": '


def parse(**fields) -> ipw.ImagePolicyConfig:
    return ipw.parse_config({"imagePolicy": {"kubeConfigFile": "/etc/hook.kubeconfig", **fields}})


def test_defaults() -> None:
    config = parse()
    assert config == ipw.ImagePolicyConfig(Path("/etc/hook.kubeconfig"), allow_ttl=300.0, deny_ttl=30.0,
                                           retry_backoff=0.5, default_allow=False)


def test_units_are_seconds_for_the_ttls_and_milliseconds_for_the_backoff() -> None:
    config = parse(allowTTL=50, denyTTL=1800, retryBackoff=250, defaultAllow=True)
    assert (config.allow_ttl, config.deny_ttl, config.retry_backoff, config.default_allow) == (50, 1800, 0.25, True)


def test_minus_one_turns_off_and_zero_takes_the_default() -> None:
    config = parse(allowTTL=-1, denyTTL=0, retryBackoff=-1)
    assert (config.allow_ttl, config.deny_ttl, config.retry_backoff) == (0, 30, 0)


def test_keys_match_without_regard_to_case_as_go_decodes_them() -> None:
    config = ipw.parse_config({"apiVersion": "any/v1", "kind": "ImagePolicyConfiguration",
                               "ImagePolicy": {"kubeconfigfile": "/k", "ALLOWTTL": 7}})
    assert (config.kubeconfig, config.allow_ttl) == (Path("/k"), 7)


@pytest.mark.parametrize(("fields", "message"), [
    ({"allowTTL": 1801}, "valid value is between 1s and 30m0s, got 30m1s"),
    ({"denyTTL": -5}, "valid value is between 1s and 30m0s, got -5s"),
    ({"retryBackoff": 300001}, "valid value is between 1ns and 5m0s, got 5m0.001s"),
    # the backoff is checked first, as kube checks it
    ({"allowTTL": 4000, "retryBackoff": -2}, "valid value is between 1ns and 5m0s, got -2ms"),
    ({"allowTTL": 1.5},
     "json: cannot unmarshal number 1.5 into Go struct field imagePolicyWebhookConfig.imagePolicy.allowTTL "
     "of type time.Duration"),
    ({"defaultAllow": "yes"},
     "json: cannot unmarshal string into Go struct field imagePolicyWebhookConfig.imagePolicy.defaultAllow "
     "of type bool"),
    ({"kubeConfigFile": ""}, "invalid configuration: no configuration has been provided"),
])
def test_errors_stop_the_start_in_kubes_words(fields, message) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(**fields)
    assert str(caught.value) == PREFIX + message


def test_a_missing_configuration_or_section() -> None:
    with pytest.raises(ConfigError, match="no config specified$"):
        ipw.parse_config(None)
    with pytest.raises(ConfigError, match="no configuration has been provided$"):
        ipw.parse_config({"kind": "ImagePolicyConfiguration", "kubeConfigFile": "/k"})
    with pytest.raises(ConfigError, match="cannot unmarshal string into Go struct field AdmissionConfig.imagePolicy"):
        ipw.parse_config({"imagePolicy": "/k"})


def test_an_unusable_kubeconfig_stops_the_start(tmp_path) -> None:
    missing = tmp_path / "none.kubeconfig"
    with pytest.raises(ConfigError, match=f"^{PREFIX}cannot read webhook kubeconfig {missing}"):
        ipw.ImagePolicyWebhook(ipw.parse_config({"imagePolicy": {"kubeConfigFile": str(missing)}}))
    plain = tmp_path / "plain.kubeconfig"
    plain.write_text("clusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\n")
    with pytest.raises(ConfigError, match="must be an https:// URL"):
        ipw.ImagePolicyWebhook(ipw.parse_config({"imagePolicy": {"kubeConfigFile": str(plain)}}))


def _attrs(pod: dict, subresource: str = "") -> Attributes:
    return Attributes(Operation.CREATE, PODS, "", "v1", "pods", subresource, "ns", "p", pod, None,
                      UserInfo("u"), None, False)


def test_the_review_spec() -> None:
    pod = {"metadata": {"annotations": {"a.image-policy.k8s.io/ticket": "1", "other/x": "2",
                                        "image-policy.k8s.io/bare": "3"}},
           "spec": {"initContainers": [{"name": "i", "image": "init:1"}],
                    "containers": [{"name": "c", "image": "app:1"}, {"name": "d", "image": "app:2"}],
                    "ephemeralContainers": [{"name": "e", "image": "debug:1"}]}}
    assert ipw.review_spec(_attrs(pod)) == {
        "containers": [{"image": "app:1"}, {"image": "app:2"}, {"image": "init:1"}],
        "annotations": {"a.image-policy.k8s.io/ticket": "1"}, "namespace": "ns"}
    assert ipw.review_spec(_attrs(pod, "ephemeralcontainers"))["containers"] == [{"image": "debug:1"}]


def test_the_cache_keeps_answers_for_their_ttl_and_drops_the_least_recently_used(monkeypatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(ipw.time, "monotonic", lambda: now[0])
    cache = ipw.ResponseCache(size=2)
    cache.add(b"a", {"allowed": True}, 10)
    cache.add(b"b", {"allowed": False}, 0)      # a TTL turned off keeps nothing
    assert cache.get(b"a") == {"allowed": True} and cache.get(b"b") is None
    cache.add(b"c", {"allowed": True}, 10)
    cache.add(b"d", {"allowed": True}, 10)      # "a" was used before "c": "a" goes
    assert cache.get(b"a") is None and cache.get(b"c") and cache.get(b"d")
    now[0] += 10
    assert cache.get(b"c") is None
