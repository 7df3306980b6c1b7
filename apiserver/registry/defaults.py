"""Defaulting of the common built-in kinds, as kube-apiserver applies it on create and update."""
from __future__ import annotations

from apiserver.api.meta import quantity
from apiserver.api.meta.quantity import canonical_text
from apiserver.api.meta.types import Obj


def _image_pull_policy(image: str) -> str:
    # no tag, or the latest tag, means the image can change under the same name: pull it every time
    name = image.rsplit("/", 1)[-1]
    if "@" in name:
        return "IfNotPresent"
    tag = name.split(":", 1)[1] if ":" in name else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _dicts(value: object) -> list[Obj]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _canonical(values: object) -> None:
    """Resource lists as kube's SetDefaults_ResourceList leaves them: rounded up to milli precision, written back in
    Go's canonical form ("1000m" is "1")."""
    if isinstance(values, dict):
        for name, value in values.items():
            values[name] = canonical_text(value)


def _canonical_requirements(resources: object) -> None:
    if isinstance(resources, dict):
        _canonical(resources.get("limits"))
        _canonical(resources.get("requests"))


def _http_get(action: object) -> None:
    if isinstance(action, dict):
        action.setdefault("path", "/")
        action.setdefault("scheme", "HTTP")


def _probe(probe: object) -> None:
    if not isinstance(probe, dict):
        return
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    _http_get(probe.get("httpGet"))
    if isinstance(probe.get("grpc"), dict):
        probe["grpc"].setdefault("service", "")


def _field_ref(source: object) -> None:
    ref = source.get("fieldRef") if isinstance(source, dict) else None
    if isinstance(ref, dict):
        ref.setdefault("apiVersion", "v1")


def _container(container: Obj) -> None:
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    # kube reads the tag of the image; an image it cannot parse (none at all) has no tag
    container.setdefault("imagePullPolicy", _image_pull_policy(container["image"]) if container.get("image")
                         else "IfNotPresent")
    container.setdefault("resources", {})
    _canonical_requirements(container["resources"])
    for port in _dicts(container.get("ports")):
        port.setdefault("protocol", "TCP")
    for var in _dicts(container.get("env")):
        _field_ref(var.get("valueFrom"))
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        _probe(container.get(kind))
    lifecycle = container.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            if isinstance(lifecycle.get(hook), dict):
                _http_get(lifecycle[hook].get("httpGet"))


def _volume(volume: Obj) -> None:
    for kind in ("secret", "configMap", "downwardAPI", "projected"):
        if isinstance(volume.get(kind), dict):
            volume[kind].setdefault("defaultMode", 0o644)
    if isinstance(volume.get("hostPath"), dict):
        volume["hostPath"].setdefault("type", "")
    empty_dir = volume.get("emptyDir")
    if isinstance(empty_dir, dict) and empty_dir.get("sizeLimit") is not None:
        try:  # a plain Quantity field: re-encoded canonically, not rounded to milli as resource lists are
            empty_dir["sizeLimit"] = quantity.canonical(quantity.parse(empty_dir["sizeLimit"]))
        except quantity.QuantityError:
            pass
    if isinstance(volume.get("downwardAPI"), dict):
        for item in _dicts(volume["downwardAPI"].get("items")):
            _field_ref(item)
    if isinstance(volume.get("projected"), dict):
        for source in _dicts(volume["projected"].get("sources")):
            if isinstance(source.get("downwardAPI"), dict):
                for item in _dicts(source["downwardAPI"].get("items")):
                    _field_ref(item)
            if isinstance(source.get("serviceAccountToken"), dict):
                source["serviceAccountToken"].setdefault("expirationSeconds", 3600)


def pod_spec(spec: Obj) -> None:
    # kube's v1 conversion: the deprecated alias stands in for an empty serviceAccountName, and is written back
    # as a copy of it
    if not spec.get("serviceAccountName") and spec.get("serviceAccount"):
        spec["serviceAccountName"] = spec["serviceAccount"]
    if spec.get("serviceAccountName"):
        spec["serviceAccount"] = spec["serviceAccountName"]
    else:
        spec.pop("serviceAccount", None)
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for key in ("containers", "initContainers"):
        for container in _dicts(spec.get(key)):
            _container(container)
    for volume in _dicts(spec.get("volumes")):
        _volume(volume)
    _canonical(spec.get("overhead"))


_NODE_TAINTS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")


def _tolerated(tolerations: list[Obj], taint: str) -> bool:
    for toleration in tolerations:
        if toleration.get("effect") not in (None, "", "NoExecute"):
            continue
        key = toleration.get("key") or ""
        if key == taint or (not key and toleration.get("operator") == "Exists"):
            return True
    return False


def pod(obj: Obj) -> None:
    pod_spec(obj.setdefault("spec", {}))
    spec = obj["spec"]
    # `default` is the ServiceAccount admission plugin's to give (mirror pods, and every pod with the plugin off,
    # keep none)
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    for key in ("containers", "initContainers"):
        for container in _dicts(spec.get(key)):
            # a pod (not a template) asks for what it limits itself to, unless it says otherwise
            resources = container.get("resources")
            if isinstance(resources, dict) and isinstance(resources.get("limits"), dict):
                requests = resources.setdefault("requests", {})
                for name, value in resources["limits"].items():
                    requests.setdefault(name, value)
    if spec.get("hostNetwork"):
        for key in ("containers", "initContainers"):
            for container in _dicts(spec.get(key)):
                for port in _dicts(container.get("ports")):
                    if not port.get("hostPort"):
                        port["hostPort"] = port.get("containerPort")
    # the DefaultTolerationSeconds admission: five minutes on unready and unreachable nodes, unless tolerated
    tolerations = spec.get("tolerations")
    tolerations = tolerations if isinstance(tolerations, list) else []
    missing = [{"key": taint, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
               for taint in _NODE_TAINTS if not _tolerated(_dicts(tolerations), taint)]
    if missing:
        spec["tolerations"] = tolerations + missing


def _template(obj: Obj) -> None:
    template = obj.setdefault("spec", {}).setdefault("template", {})
    template.setdefault("metadata", {})
    pod_spec(template.setdefault("spec", {}))


def deployment(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    _template(obj)


def replica_set(obj: Obj) -> None:
    obj.setdefault("spec", {}).setdefault("replicas", 1)
    _template(obj)


def _strategy(spec: Obj, field: str) -> Obj:
    strategy = spec.get(field)
    if not isinstance(strategy, dict):
        strategy = spec[field] = {}
    return strategy


def stateful_set(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    spec.setdefault("revisionHistoryLimit", 10)
    strategy = _strategy(spec, "updateStrategy")
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
        strategy.setdefault("rollingUpdate", {})
    if strategy["type"] == "RollingUpdate" and isinstance(strategy.get("rollingUpdate"), dict):
        strategy["rollingUpdate"].setdefault("partition", 0)
    for claim in _dicts(spec.get("volumeClaimTemplates")):
        if isinstance(claim.get("spec"), dict):
            _canonical_requirements(claim["spec"].get("resources"))
    retention = _strategy(spec, "persistentVolumeClaimRetentionPolicy")
    retention.setdefault("whenDeleted", "Retain")
    retention.setdefault("whenScaled", "Retain")
    _template(obj)


def daemon_set(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("revisionHistoryLimit", 10)
    strategy = _strategy(spec, "updateStrategy")
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if not isinstance(rolling, dict):
            rolling = strategy["rollingUpdate"] = {}
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    _template(obj)


def job(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    # a job that sets neither runs one pod once
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 6 if spec.get("backoffLimitPerIndex") is None else 2147483647)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("manualSelector", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed" if spec.get("podFailurePolicy") is None
                    else "Failed")
    _template(obj)


def cron_job(obj: Obj) -> None:
    """A CronJob's job template gets the pod defaults only: the Job defaults apply to the Jobs it creates."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    _template(spec.setdefault("jobTemplate", {}))


def service(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    # ipFamilyPolicy and ipFamilies depend on the cluster's ranges and the stored object: the allocation sets them
    if spec["type"] != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
    externally_accessible = spec["type"] in ("NodePort", "LoadBalancer") or (
        spec["type"] == "ClusterIP" and bool(spec.get("externalIPs")))
    if externally_accessible and not spec.get("externalTrafficPolicy"):
        spec["externalTrafficPolicy"] = "Cluster"
    if spec["type"] == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    for port in spec.get("ports") or []:
        port.setdefault("protocol", "TCP")
        if spec["type"] != "ExternalName":
            port.setdefault("targetPort", port.get("port"))


def replication_controller(obj: Obj) -> None:
    # a controller without a selector or labels takes its template's labels, as kube's v1 defaulting does
    spec = obj.setdefault("spec", {})
    template = spec.get("template")
    labels = (template.get("metadata") or {}).get("labels") if isinstance(template, dict) else None
    if labels:
        if not spec.get("selector"):
            spec["selector"] = dict(labels)
        meta = obj.setdefault("metadata", {})
        if not meta.get("labels"):
            meta["labels"] = dict(labels)
    spec.setdefault("replicas", 1)
    if isinstance(template, dict):
        template.setdefault("metadata", {})
        pod_spec(template.setdefault("spec", {}))


def pod_template(obj: Obj) -> None:
    template = obj.setdefault("template", {})
    template.setdefault("metadata", {})
    pod_spec(template.setdefault("spec", {}))


def _scaling_rules(rules: Obj | None, defaults: Obj) -> Obj:
    merged = dict(defaults)
    merged.update({k: v for k, v in (rules or {}).items() if v is not None})
    return merged


def horizontal_pod_autoscaler(obj: Obj) -> None:
    """autoscaling/v2: one replica at least, 80% CPU when no metric is given, and complete scaling rules."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("minReplicas", 1)
    if not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        behavior["scaleUp"] = _scaling_rules(behavior.get("scaleUp"), {
            "stabilizationWindowSeconds": 0, "selectPolicy": "Max",
            "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                         {"type": "Percent", "value": 100, "periodSeconds": 15}]})
        # the scale-down window stays unset: the controller's own flag decides it
        behavior["scaleDown"] = _scaling_rules(behavior.get("scaleDown"), {
            "selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]})


def horizontal_pod_autoscaler_v1(obj: Obj) -> None:
    """autoscaling/v1 defaults only minReplicas; a missing CPU target becomes 80% in the conversion to the hub."""
    spec = obj.setdefault("spec", {})
    if isinstance(spec, dict):
        spec.setdefault("minReplicas", 1)


def csi_driver(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("attachRequired", True)
    spec.setdefault("podInfoOnMount", False)
    spec.setdefault("storageCapacity", False)
    spec.setdefault("fsGroupPolicy", "ReadWriteOnceWithFSType")
    if not spec.get("volumeLifecycleModes"):
        spec["volumeLifecycleModes"] = ["Persistent"]
    spec.setdefault("requiresRepublish", False)
    spec.setdefault("seLinuxMount", False)


def ingress_class(obj: Obj) -> None:
    parameters = (obj.get("spec") or {}).get("parameters")
    if isinstance(parameters, dict):
        parameters.setdefault("scope", "Cluster")


def endpoint_slice(obj: Obj) -> None:
    # kubectl describe dereferences each port's name and protocol: kube always fills them in
    for port in obj.get("ports") or []:
        port.setdefault("name", "")
        port.setdefault("protocol", "TCP")


def priority_class(obj: Obj) -> None:
    obj.setdefault("preemptionPolicy", "PreemptLowerPriority")
    # an int32 kube always writes out: a class sent without one has priority 0
    obj.setdefault("value", 0)


def storage_class(obj: Obj) -> None:
    obj.setdefault("reclaimPolicy", "Delete")
    obj.setdefault("volumeBindingMode", "Immediate")
