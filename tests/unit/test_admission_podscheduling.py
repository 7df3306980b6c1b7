"""The pure parts of PodNodeSelector and PodTolerationRestriction: selector strings, conflicts, merges and
whitelists, the namespace annotations' tolerations and both configurations."""
from __future__ import annotations

import pytest

from apiserver.admission.plugins import podnodeselector as pns
from apiserver.admission.plugins import podtolerationrestriction as ptr
from apiserver.admission.plugins import tolerations
from apiserver.options.errors import ConfigError

TEAM_A = {"key": "team", "operator": "Equal", "value": "a", "effect": "NoSchedule"}
TEAM_ANY = {"key": "team", "operator": "Exists"}


def test_selector_strings_become_label_maps():
    assert pns.parse_selector_map("") == {}
    assert pns.parse_selector_map(" env = prod ,disk=ssd") == {"env": "prod", "disk": "ssd"}
    assert pns.parse_selector_map("env=") == {"env": ""}


@pytest.mark.parametrize("text,message", [
    ("env", "invalid selector: [env]"),
    ("a=b=c", "invalid selector: [a b c]"),
    ("env==prod", "invalid selector: [env  prod]"),
    ("-bad=x", '<nil>: Invalid value: "-bad": name part must consist of alphanumeric characters, \'-\', \'_\' or '
               "'.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
               "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
])
def test_bad_selector_strings_are_refused_in_kubes_words(text, message):
    with pytest.raises(pns.SelectorMapError) as caught:
        pns.parse_selector_map(text)
    assert str(caught.value) == message


def test_bad_label_values_name_their_key():
    with pytest.raises(pns.SelectorMapError, match=r'^\[env\]: Invalid value: "a b": '):
        pns.parse_selector_map("env=a b")


def test_conflicts_merge_and_whitelist():
    assert pns.conflicts({"env": "prod"}, {"env": "dev"})
    assert not pns.conflicts({"env": "prod"}, {"env": "prod", "disk": "ssd"})
    assert not pns.conflicts({}, {"env": "dev"})
    assert list(pns.merge({"z": "1", "env": "prod"}, {"a": "2"}).items()) == [("a", "2"), ("env", "prod"),
                                                                                ("z", "1")]
    assert pns.allowed({"gpu": "yes"}, {})
    assert pns.allowed({"env": "prod"}, {"env": "prod", "disk": "ssd"})
    assert not pns.allowed({"env": "dev"}, {"env": "prod"})
    assert not pns.allowed({"gpu": "yes"}, {"env": "prod"})


def test_node_selector_configuration():
    config = pns.parse_config({"PodNodeSelectorPluginConfig": {"clusterDefaultNodeSelector": "tier=shared",
                                                               "team-a": "env=prod"}})
    assert config == pns.NodeSelectorConfig("tier=shared", {"team-a": "env=prod"})
    assert pns.parse_config(None) == pns.NodeSelectorConfig()
    # kube's decoder gives up on what is no map of strings, and the plugin runs without configuration
    assert pns.parse_config({"podNodeSelectorPluginConfig": {"team-a": 3}}) == pns.NodeSelectorConfig()


def test_annotation_tolerations_decode_as_kubes_json():
    assert ptr.decode(None) is None
    assert ptr.decode("null") is None
    assert ptr.decode("") == []
    assert ptr.decode("[]") == []
    decoded = ptr.decode('[{"Key": "team", "operator": "Exists", "value": "", "extra": 1}, null]')
    assert decoded == [{"key": "team", "operator": "Exists"}, {}]


@pytest.mark.parametrize("text,message", [
    ('{"key": "a"}', "json: cannot unmarshal object into Go value of type []v1.Toleration"),
    ('["a"]', "json: cannot unmarshal string into Go value of type v1.Toleration"),
    ('[{"key": 1}]', "json: cannot unmarshal number into Go struct field Toleration.key of type string"),
    ('[{"effect": true}]', "json: cannot unmarshal bool into Go struct field Toleration.effect of type v1.TaintEffect"),
    ('[{"tolerationSeconds": 1.5}]',
     "json: cannot unmarshal number 1.5 into Go struct field Toleration.tolerationSeconds of type int64"),
    ("[", "unexpected end of JSON input"),
    ("x", "invalid character 'x' looking for beginning of value"),
])
def test_bad_annotations_are_refused_in_gos_words(text, message):
    with pytest.raises(ptr.TolerationsError) as caught:
        ptr.decode(text)
    assert str(caught.value) == message


def test_whitelist_needs_every_toleration_covered():
    assert tolerations.whitelisted([TEAM_A], [])
    assert tolerations.whitelisted([TEAM_A], [TEAM_ANY])
    assert not tolerations.whitelisted([TEAM_A, {"key": "gpu", "operator": "Exists"}], [TEAM_ANY])
    bounded = {"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60}
    assert not tolerations.whitelisted([{**bounded, "tolerationSeconds": 600}], [bounded])
    assert tolerations.whitelisted([{**bounded, "tolerationSeconds": 30}], [bounded])


def test_pods_own_tolerations_win_the_merge():
    # the pod's Exists covers the namespace's Equal one, which goes
    assert tolerations.merge([TEAM_ANY], [TEAM_A, ptr.MEMORY_PRESSURE]) == [TEAM_ANY, ptr.MEMORY_PRESSURE]


def test_best_effort_follows_the_stated_class_then_the_resources():
    burstable = {"spec": {"containers": [{"resources": {"requests": {"memory": "1Mi"}}}]}}
    assert ptr.best_effort({"spec": {"containers": [{"name": "c"}]}})
    assert not ptr.best_effort(burstable)
    assert ptr.best_effort({**burstable, "status": {"qosClass": "BestEffort"}})


def test_toleration_configuration():
    config = ptr.parse_config({"apiVersion": ptr.CONFIG_API_VERSION, "kind": "Configuration",
                               "default": [TEAM_A], "whitelist": [TEAM_ANY]})
    assert config == ptr.TolerationConfig([TEAM_A], [TEAM_ANY])
    assert ptr.parse_config(None) == ptr.TolerationConfig()
    with pytest.raises(ConfigError, match="expected a podtolerationrestriction.admission.k8s.io/v1alpha1"):
        ptr.parse_config({"default": [TEAM_A]})
    with pytest.raises(ConfigError) as caught:
        ptr.parse_config({"apiVersion": ptr.CONFIG_API_VERSION, "kind": "Configuration",
                          "whitelist": [{"operator": "Equal", "value": "x"}]})
    assert str(caught.value) == (
        'couldn\'t init admission plugin "PodTolerationRestriction": invalid config: '
        '[podtolerationrestriction.whitelist[0].operator: Invalid value: "Equal": operator must be Exists when '
        '`key` is empty, which means "match all values and all keys"]')
