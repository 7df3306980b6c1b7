"""The pure parts of pod and workload validation: quantities as Go prints them, cron schedules and time zones as
kube's libraries read them, Go's rendering of selectors and structs, pod warnings and the pod update rules."""
from __future__ import annotations

import pytest

from apiserver.api.validation import apps, batch, pods
from apiserver.api.validation.kinds import go_label_selector
from apiserver.api.validation.podwarnings import name_warning, pod_warnings, template_warnings
from apiserver.api.validation.service import service
from apiserver.registry import defaults

LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
         "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
         "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")


@pytest.mark.parametrize(("text", "canonical"), [
    ("1.5", "1500m"), ("1000m", "1"), ("2000", "2k"), ("1024Mi", "1Gi"), ("0.5Gi", "512Mi"), ("1e3", "1e3"),
    ("0.1n", "1m"), ("100m", "100m"), (1, "1"), ("bogus", "bogus"),
])
def test_pod_resources_are_written_back_as_kube_defaults_them(text, canonical):
    pod = {"spec": {"containers": [{"name": "c", "image": "i", "resources": {"limits": {"cpu": text}}}]}}
    defaults.pod(pod)
    resources = pod["spec"]["containers"][0]["resources"]
    assert resources["limits"]["cpu"] == canonical and resources["requests"]["cpu"] == canonical


@pytest.mark.parametrize(("schedule", "error"), [
    ("*/5 * * * *", None),
    ("0 0 * jan-mar mon", None),
    ("@hourly", None),
    ("@every 1h30m", None),
    ("* * *", "expected exactly 5 fields, found 3: [* * *]"),
    ("61 * * * *", "end of range (61) above maximum (59): 61"),
    ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
    ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
    ("a * * * *", 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'),
    ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
    ("*/0 * * * *", "step of range should be a positive number: */0"),
    ("@fortnightly", "unrecognized descriptor: @fortnightly"),
    ("@every 5x", 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"'),
])
def test_cron_schedules_as_robfig_cron_reads_them(schedule, error):
    assert batch.cron_error(schedule) == error


def test_time_zones():
    assert batch.time_zone("Europe/Paris", "spec.timeZone") == []
    assert batch.time_zone("UTC", "spec.timeZone") == []
    assert [c.message for c in batch.time_zone("Mars/Base", "spec.timeZone")] == [
        'Invalid value: "Mars/Base": unknown time zone Mars/Base']
    assert [c.message for c in batch.time_zone("Local", "spec.timeZone")] == [
        'Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones']
    assert [c.message for c in batch.time_zone("", "spec.timeZone")] == [
        'Invalid value: "": timeZone must be nil or non-empty string']


def test_label_selectors_render_as_go_structs():
    assert go_label_selector({}) == ("v1.LabelSelector{MatchLabels:map[string]string(nil), "
                                  "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}")
    assert go_label_selector({"matchLabels": {"b": "2", "a": "1"}, "matchExpressions": [
        {"key": "k", "operator": "In", "values": ["x"]}]}) == (
        'v1.LabelSelector{MatchLabels:map[string]string{"a":"1", "b":"2"}, MatchExpressions:'
        '[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"k", Operator:"In", Values:[]string{"x"}}}}')


def _pod(**spec) -> dict:
    pod = {"metadata": {"name": "p", "namespace": "n"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}], **spec}}
    defaults.pod(pod)
    return pod


def _causes(causes) -> list[tuple[str, str]]:
    return [(c.field, c.message) for c in causes]


def test_volumes_need_unique_names_and_one_source_and_mounts_name_them():
    pod = _pod(volumes=[{"name": "v", "emptyDir": {}}, {"name": "v", "emptyDir": {}}, {"name": "w"},
                        {"name": "x", "emptyDir": {}, "configMap": {"name": "c"}}])
    pod["spec"]["containers"][0]["volumeMounts"] = [{"name": "w", "mountPath": "/a"},
                                                    {"name": "v", "mountPath": "/a"}]
    assert _causes(pods.pod(pod)) == [
        ("spec.volumes[1].name", 'Duplicate value: "v"'),
        ("spec.volumes[2]", "Required value: must specify a volume type"),
        ("spec.volumes[3].configMap", "Forbidden: may not specify more than 1 volume type"),
        ("spec.containers[0].volumeMounts[0].name", 'Not found: "w"'),
        ("spec.containers[0].volumeMounts[1].mountPath", 'Invalid value: "/a": must be unique'),
    ]


def test_env_resources_probes_and_security_context():
    pod = _pod(hostname="Bad_Host")
    container = pod["spec"]["containers"][0]
    container["env"] = [{"name": "A=B"}, {"name": "C", "valueFrom": {}}]
    container["resources"] = {"limits": {"cpu": "1"}, "requests": {"cpu": "1500m", "memory": "-1"}}
    container["livenessProbe"] = {"exec": {"command": ["true"]}, "successThreshold": 2}
    container["securityContext"] = {"runAsUser": -1}
    defaults.pod(pod)
    assert _causes(pods.pod(pod)) == [
        ("spec.containers[0].env[0].name", f'Invalid value: "A=B": {pods.RELAXED_ENV_NAME}'),
        ("spec.containers[0].env[1].valueFrom", 'Invalid value: "": must specify one of: `fieldRef`, '
                                                '`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'),
        ("spec.containers[0].resources.requests", 'Invalid value: "1500m": must be less than or equal to cpu limit '
                                                  'of 1'),
        ("spec.containers[0].resources.requests[memory]", 'Invalid value: "-1": must be greater than or equal to 0'),
        ("spec.containers[0].securityContext.runAsUser", "Invalid value: -1: must be between 0 and 2147483647, "
                                                         "inclusive"),
        ("spec.containers[0].livenessProbe.successThreshold", "Invalid value: 2: must be 1"),
        ("spec.hostname", f'Invalid value: "Bad_Host": {LABEL}'),
    ]


def test_tolerations_and_node_selector():
    pod = _pod(nodeSelector={"bad key!": "v"}, tolerations=[
        {"operator": "Equal", "value": "x"}, {"key": "k", "operator": "Exists", "value": "v"},
        {"key": "k", "effect": "NoSchedule", "tolerationSeconds": 5}, {"key": "k", "effect": "Never"}])
    causes = _causes(pods.pod(pod))
    assert causes[0][0] == "spec.nodeSelector"
    assert causes[1:] == [
        ("spec.tolerations[0].operator", 'Invalid value: "Equal": operator must be Exists when `key` is empty, which '
                                         'means "match all values and all keys"'),
        ("spec.tolerations[1].operator", 'Invalid value: core.Toleration{Key:"k", Operator:"Exists", Value:"v", '
                                         'Effect:"", TolerationSeconds:(*int64)(nil)}: value must be empty when '
                                         "`operator` is 'Exists'"),
        ("spec.tolerations[2].effect", 'Invalid value: "NoSchedule": effect must be \'NoExecute\' when '
                                       '`tolerationSeconds` is set'),
        ("spec.tolerations[3].effect", 'Unsupported value: "Never": supported values: "NoSchedule", '
                                       '"PreferNoSchedule", "NoExecute"'),
    ]


def test_pod_updates():
    old = _pod(activeDeadlineSeconds=30)
    new = _pod(activeDeadlineSeconds=60)
    assert _causes(pods.pod_update(new, old)) == [
        ("spec.activeDeadlineSeconds", "Invalid value: 60: must be less than or equal to previous value")]
    grown = _pod()
    grown["spec"]["containers"].append({"name": "d", "image": "x"})
    assert _causes(pods.pod_update(grown, old)) == [
        ("spec.containers", "Forbidden: pod updates may not add or remove containers")]
    moved = _pod(activeDeadlineSeconds=30, nodeName="n1")
    assert _causes(pods.pod_update(moved, old)) == [
        ("spec", f"Forbidden: pod updates may not change fields other than {pods.UPDATABLE}")]
    image = _pod(activeDeadlineSeconds=10)
    image["spec"]["containers"][0]["image"] = "nginx:2"
    assert pods.pod_update(image, old) == []


def test_pod_warnings():
    pod = _pod(nodeSelector={"beta.kubernetes.io/os": "linux"}, terminationGracePeriodSeconds=-1,
               imagePullSecrets=[{"name": "a"}, {"name": "a"}])
    container = pod["spec"]["containers"][0]
    container["resources"] = {"limits": {"memory": "0.5"}}
    container["env"] = [{"name": "X", "value": "1"}, {"name": "X", "value": "2"}]
    container["ports"] = [{"containerPort": 80}, {"containerPort": 80}]
    defaults.pod(pod)
    assert pod_warnings(pod["spec"], pod["metadata"]) == [
        'spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead',
        'spec.imagePullSecrets[1].name: duplicate name "a"',
        'spec.containers[0].resources.limits[memory]: fractional byte value "500m" is invalid, must be an integer',
        'spec.containers[0].resources.requests[memory]: fractional byte value "500m" is invalid, must be an integer',
        'spec.containers[0].env[1]: hides previous definition of "X", which may be dropped when using apply',
        "spec.containers[0].ports[1]: duplicate port definition with spec.containers[0].ports[0]",
        "spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1",
    ]
    template = {"metadata": {"annotations": {"scheduler.alpha.kubernetes.io/critical-pod": ""}},
                "spec": {"volumes": [{"name": "g", "gitRepo": {"repository": "r"}}]}}
    assert template_warnings(template, "spec.template") == [
        'spec.template.metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; '
        'use the "priorityClassName" field instead',
        "spec.template.spec.volumes[0].gitRepo: deprecated in v1.11"]
    assert name_warning("a.b", "the Pod's hostname") == [
        "metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is "
        f"recommended: [{LABEL}]"]


def _deployment(**spec) -> dict:
    obj = {"metadata": {"name": "d", "namespace": "n"}, "spec": {
        "selector": {"matchLabels": {"a": "b"}},
        "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}},
        **spec}}
    defaults.deployment(obj)
    return obj


def test_deployment_strategy_and_immutable_selector():
    bad = _deployment(strategy={"type": "Blue"})
    assert _causes(apps.deployment(bad)) == [(
        "spec.strategy", 'Unsupported value: apps.DeploymentStrategy{Type:"Blue", '
                         'RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", '
                         '"RollingUpdate"')]
    moved = _deployment(selector={"matchLabels": {"a": "b", "c": "d"}})
    assert _causes(apps.workload_update(moved, _deployment())) == [(
        "spec.selector", 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b", "c":"d"}, '
                         'MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable')]


def test_stateful_set_updates_only_what_kube_allows():
    old = {"metadata": {"name": "s"}, "spec": {"serviceName": "a", "replicas": 1}}
    assert apps.stateful_set_update({"metadata": {"name": "s"}, "spec": {"serviceName": "a", "replicas": 3}},
                                    old) == []
    assert _causes(apps.stateful_set_update({"spec": {"serviceName": "b", "replicas": 1}}, old)) == [
        ("spec", f"Forbidden: {apps.STATEFUL_SET_UPDATABLE}")]


def test_services_report_repeated_ports_as_kube_does():
    svc = {"metadata": {"name": "s"}, "spec": {"ports": [{"name": "a", "port": 80}, {"name": "b", "port": 80}]}}
    defaults.service(svc)
    assert _causes(service(svc)) == [(
        "spec.ports[1]", 'Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), '
                         'Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}')]
