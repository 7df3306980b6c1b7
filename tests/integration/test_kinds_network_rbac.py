"""Ingress, IngressClass, NetworkPolicy, EndpointSlice and the four RBAC kinds on a real replica: kube 1.32's 422
Invalid answers (code, reason, each cause's field and message) on create and on update, Ingress's status split and
generation, the kinds' defaults and warnings, their delete answers and field selectors."""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.conftest import make_namespace

NET = "/apis/networking.k8s.io/v1"
DISCOVERY = "/apis/discovery.k8s.io/v1"
RBAC = "/apis/rbac.authorization.k8s.io/v1"
MERGE = {"Content-Type": "application/merge-patch+json"}
SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
             "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
REASONS = {"Required value": "FieldValueRequired", "Invalid value": "FieldValueInvalid",
           "Unsupported value": "FieldValueNotSupported", "Forbidden": "FieldValueForbidden",
           "Duplicate value": "FieldValueDuplicate", "Too many": "FieldValueTooMany", "Too long": "FieldValueTooLong"}
BACKEND = {"service": {"name": "web", "port": {"number": 80}}}


def cause(field: str, message: str) -> dict[str, str]:
    reason = next(reason for prefix, reason in REASONS.items() if message.startswith(prefix))
    return {"reason": reason, "message": message, "field": field}


def ingress(name: str, spec: dict, annotations: dict | None = None) -> dict:
    meta: dict[str, Any] = {"name": name}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta, "spec": spec}


def path_rule(path: str, path_type: str | None, backend: dict) -> dict:
    http_path: dict[str, Any] = {"path": path, "backend": backend}
    if path_type:
        http_path["pathType"] = path_type
    return {"host": "shop.example.com", "http": {"paths": [http_path]}}


SUFFIX = uuid.uuid4().hex[:8]
# each case: resource path under {ns}, body, the causes kube answers (in its order), its message
CREATE_CASES: list[tuple[str, str, dict, list[dict], str]] = [
    ("ingress", NET + "/namespaces/{ns}/ingresses",
     ingress("shop", {"rules": [path_rule("cart", "Prefix", {"service": {"name": "cart"}})],
                      "tls": [{"hosts": ["Shop.example.com"]}]}),
     [cause("spec.rules[0].http.paths[0].path", 'Invalid value: "cart": must be an absolute path'),
      cause("spec.rules[0].http.paths[0].backend", "Required value: port name or number is required"),
      cause("spec.tls[0].hosts[0]", f'Invalid value: "Shop.example.com": {SUBDOMAIN}')],
     'Ingress.networking.k8s.io "shop" is invalid: [spec.rules[0].http.paths[0].path: Invalid value: "cart": must '
     "be an absolute path, spec.rules[0].http.paths[0].backend: Required value: port name or number is required, "
     f'spec.tls[0].hosts[0]: Invalid value: "Shop.example.com": {SUBDOMAIN}]'),
    ("ingress-class-annotation", NET + "/namespaces/{ns}/ingresses",
     ingress("classy", {"defaultBackend": BACKEND, "ingressClassName": "nginx"},
             {"kubernetes.io/ingress.class": "haproxy"}),
     [cause("annotations.kubernetes.io/ingress.class",
            'Invalid value: "haproxy": must match `ingressClassName` when both are specified')],
     'Ingress.networking.k8s.io "classy" is invalid: annotations.kubernetes.io/ingress.class: Invalid value: '
     '"haproxy": must match `ingressClassName` when both are specified'),
    ("ingressclass", NET + "/ingressclasses",
     {"metadata": {"name": f"bad-{SUFFIX}"}, "spec": {"controller": "nginx", "parameters": {
         "kind": "Params", "name": "p", "scope": "Namespace"}}},
     [cause("spec.controller", 'Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")'),
      cause("spec.parameters.namespace", "Required value: `parameters.scope` is set to 'Namespace'")],
     f'IngressClass.networking.k8s.io "bad-{SUFFIX}" is invalid: [spec.controller: Invalid value: "nginx": must be '
     'a domain-prefixed path (such as "acme.io/foo"), spec.parameters.namespace: Required value: `parameters.scope` '
     "is set to 'Namespace']"),
    ("networkpolicy", NET + "/namespaces/{ns}/networkpolicies",
     {"metadata": {"name": "deny"}, "spec": {"ingress": [{"ports": [{"port": 443, "endPort": 80}], "from": [
         {"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.0.0/8"]}, "podSelector": {}}]}],
         "policyTypes": ["Ingress", "Sideways"]}},
     [cause("spec.ingress[0].ports[0].endPort", "Invalid value: 443: must be greater than or equal to `port`"),
      cause("spec.ingress[0].from[0].ipBlock.except[0]",
            'Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`'),
      cause("spec.ingress[0].from[0]", "Forbidden: may not specify both ipBlock and another peer"),
      cause("spec.policyTypes[1]", 'Unsupported value: "Sideways": supported values: "Ingress", "Egress"')],
     'NetworkPolicy.networking.k8s.io "deny" is invalid: [spec.ingress[0].ports[0].endPort: Invalid value: 443: '
     "must be greater than or equal to `port`, spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "
     '"10.0.0.0/8": must be a strict subset of `cidr`, spec.ingress[0].from[0]: Forbidden: may not specify both '
     'ipBlock and another peer, spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", '
     '"Egress"]'),
    ("endpointslice", DISCOVERY + "/namespaces/{ns}/endpointslices",
     {"metadata": {"name": "web-1"}, "addressType": "IPv4",
      "endpoints": [{"addresses": ["10.0.0.1", "127.0.0.1", "fe80::1"]}, {"addresses": []}],
      "ports": [{"name": "http", "port": 80}, {"name": "http", "port": 8080, "protocol": "ICMP"}]},
     [cause("endpoints[0].addresses[1]",
            'Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)'),
      cause("endpoints[0].addresses[2]", 'Invalid value: "fe80::1": must be a valid IPv4 address'),
      cause("endpoints[0].addresses[2]",
            'Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)'),
      cause("endpoints[1].addresses", "Required value: must contain at least 1 address"),
      cause("ports[1].name", 'Duplicate value: "http"'),
      cause("ports[1].protocol", 'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"')],
     ""),
    ("role", RBAC + "/namespaces/{ns}/roles",
     {"metadata": {"name": "reader"}, "rules": [{"apiGroups": [""], "resources": ["pods"]},
                                                {"verbs": ["get"], "nonResourceURLs": ["/healthz"]}]},
     [cause("rules[0].verbs", "Required value: verbs must contain at least one value"),
      cause("rules[1].nonResourceURLs",
            'Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs')],
     'Role.rbac.authorization.k8s.io "reader" is invalid: [rules[0].verbs: Required value: verbs must contain at '
     'least one value, rules[1].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply '
     "to non-resource URLs]"),
    ("clusterrole", RBAC + "/clusterroles",
     {"metadata": {"name": f"agg-{SUFFIX}"}, "aggregationRule": {"clusterRoleSelectors": []},
      "rules": [{"verbs": ["get"], "nonResourceURLs": ["/metrics"], "resources": ["pods"]}]},
     [cause("rules[0].nonResourceURLs", 'Invalid value: []string{"/metrics"}: rules cannot apply to both regular '
                                        "resources and non-resource URLs"),
      cause("aggregationRule.clusterRoleSelectors",
            "Required value: at least one clusterRoleSelector required if aggregationRule is non-nil")],
     ""),
    ("rolebinding", RBAC + "/namespaces/{ns}/rolebindings",
     {"metadata": {"name": "readers"}, "roleRef": {"kind": "Policy", "name": "reader"},
      "subjects": [{"kind": "Robot", "name": "r2"}, {"kind": "User", "name": "u", "apiGroup": "v1"}]},
     [cause("roleRef.kind", 'Unsupported value: "Policy": supported values: "Role", "ClusterRole"'),
      cause("subjects[0].kind", 'Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"'),
      cause("subjects[1].apiGroup", 'Unsupported value: "v1": supported values: "rbac.authorization.k8s.io"')],
     ""),
    ("clusterrolebinding", RBAC + "/clusterrolebindings",
     {"metadata": {"name": f"crb-{SUFFIX}"}, "roleRef": {"kind": "Role", "name": "view"},
      "subjects": [{"kind": "ServiceAccount", "name": "builder"}]},
     [cause("roleRef.kind", 'Unsupported value: "Role": supported values: "ClusterRole"'),
      cause("subjects[0].namespace", "Required value")],
     f'ClusterRoleBinding.rbac.authorization.k8s.io "crb-{SUFFIX}" is invalid: [roleRef.kind: Unsupported value: '
     '"Role": supported values: "ClusterRole", subjects[0].namespace: Required value]'),
]


@pytest.fixture
async def ns(api, new_ns) -> str:
    name = new_ns()
    await make_namespace(api, name)
    return name


@pytest.mark.parametrize("name, path, body, causes, message", CREATE_CASES, ids=[c[0] for c in CREATE_CASES])
async def test_create_is_refused_as_kube_refuses_it(api, ns, name, path, body, causes, message):
    status, answer = await api.post(path.format(ns=ns), body)
    assert (status, answer["reason"], answer["code"]) == (422, "Invalid", 422), answer
    assert answer["details"]["causes"] == causes
    assert answer["details"]["name"] == body["metadata"]["name"]
    if message:
        assert answer["message"] == message


# each case: collection path, a valid object, a merge patch making it invalid, the causes kube answers
UPDATE_CASES: list[tuple[str, str, dict, dict, list[dict]]] = [
    ("ingress", NET + "/namespaces/{ns}/ingresses", ingress("shop", {"defaultBackend": BACKEND}),
     {"spec": {"defaultBackend": {"service": {"port": {"name": "http"}}}}},
     [cause("spec.defaultBackend", 'Invalid value: "": cannot set both port name & port number')]),
    ("ingressclass", NET + "/ingressclasses",
     {"metadata": {"name": f"fixed-{SUFFIX}"}, "spec": {"controller": "example.com/a"}},
     {"spec": {"controller": "example.com/b"}},
     [cause("spec.controller", 'Invalid value: "example.com/b": field is immutable')]),
    # kube checks a NetworkPolicy's spec twice on update: each problem comes twice
    ("networkpolicy", NET + "/namespaces/{ns}/networkpolicies", {"metadata": {"name": "allow"}, "spec": {}},
     {"spec": {"egress": [{"to": [{}]}]}},
     [cause("spec.egress[0].to[0]", "Required value: must specify a peer")] * 2),
    ("endpointslice", DISCOVERY + "/namespaces/{ns}/endpointslices",
     {"metadata": {"name": "web-1"}, "addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.1"]}]},
     {"addressType": "IPv6"},
     [cause("endpoints[0].addresses[0]", 'Invalid value: "10.0.0.1": must be a valid IPv6 address'),
      cause("addressType", 'Invalid value: "IPv6": field is immutable')]),
    ("role", RBAC + "/namespaces/{ns}/roles", {"metadata": {"name": "reader"}, "rules": []},
     {"rules": [{"verbs": ["get"], "apiGroups": [""]}]},
     [cause("rules[0].resources", "Required value: resource rules must supply at least one resource")] * 2),
    ("clusterrole", RBAC + "/clusterroles", {"metadata": {"name": f"cr-{SUFFIX}"}},
     {"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"a": "b"},
                                                    "matchExpressions": [{"key": "k", "operator": "Is"}]}]}},
     [cause("aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator",
            'Invalid value: "Is": not a valid selector operator'),
      cause("aggregationRule.clusterRoleSelectors[0]", 'Invalid value: "null": invalid label selector.')] * 2),
    ("rolebinding", RBAC + "/namespaces/{ns}/rolebindings",
     {"metadata": {"name": "readers"}, "roleRef": {"kind": "ClusterRole", "name": "view"}},
     {"roleRef": {"name": "edit"}},
     [cause("roleRef", 'Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", '
                       'Name:"edit"}: cannot change roleRef')]),
    ("clusterrolebinding", RBAC + "/clusterrolebindings",
     {"metadata": {"name": f"crb-{SUFFIX}"}, "roleRef": {"kind": "ClusterRole", "name": "view"}},
     {"roleRef": {"name": "edit"}, "subjects": [{"kind": "Group"}]},
     [cause("subjects[0].name", "Required value")] * 2 + [
         cause("roleRef", 'Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", '
                          'Name:"edit"}: cannot change roleRef')]),
]


@pytest.mark.parametrize("name, path, body, patch, causes", UPDATE_CASES, ids=[c[0] for c in UPDATE_CASES])
async def test_update_is_refused_as_kube_refuses_it(api, ns, name, path, body, patch, causes):
    collection = path.format(ns=ns)
    status, created = await api.post(collection, body)
    assert status == 201, created
    item = f"{collection}/{body['metadata']['name']}"
    try:
        status, answer = await api.request("PATCH", item, patch, headers=MERGE)
        assert (status, answer["reason"]) == (422, "Invalid"), answer
        assert answer["details"]["causes"] == causes
    finally:
        await api.delete(item)


async def test_ingress_status_split_and_generation(api, ns):
    path = f"{NET}/namespaces/{ns}/ingresses"
    body = {**ingress("web", {"defaultBackend": BACKEND}),
            "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}]}}}
    status, created = await api.post(path, body)
    assert status == 201, created
    assert created["status"] == {"loadBalancer": {}} and created["metadata"]["generation"] == 1
    # the main resource keeps the stored status, and only a spec change moves the generation
    status, updated = await api.request("PATCH", f"{path}/web", {"status": {"loadBalancer": {"ingress": [
        {"ip": "192.0.2.9"}]}}, "metadata": {"labels": {"a": "b"}}}, headers=MERGE)
    assert status == 200, updated
    assert updated["status"] == {"loadBalancer": {}} and updated["metadata"]["generation"] == 1
    status, updated = await api.request("PATCH", f"{path}/web", {"spec": {"ingressClassName": "nginx"}},
                                        headers=MERGE)
    assert updated["metadata"]["generation"] == 2
    # the status subresource writes the status and keeps the spec
    status, written = await api.request("PATCH", f"{path}/web/status", {
        "spec": {"ingressClassName": "other"}, "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}]}}},
        headers=MERGE)
    assert status == 200, written
    assert written["status"] == {"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}]}}
    assert written["spec"]["ingressClassName"] == "nginx" and written["metadata"]["generation"] == 2
    # kube's Ingress, like the other kinds here, answers a delete with a Status
    status, deleted = await api.delete(f"{path}/web")
    assert status == 200 and deleted["kind"] == "Status" and deleted["status"] == "Success", deleted


async def test_generations_of_the_other_kinds(api, ns):
    path = f"{DISCOVERY}/namespaces/{ns}/endpointslices"
    status, created = await api.post(path, {"metadata": {"name": "s"}, "addressType": "IPv4", "endpoints": [
        {"addresses": ["10.0.0.1"], "deprecatedTopology": {"kubernetes.io/hostname": "n1"}}]})
    assert status == 201, created
    assert created["metadata"]["generation"] == 1 and created["endpoints"] == [{"addresses": ["10.0.0.1"]}]
    # an EndpointSlice's labels say which Service it serves: changing them is a new generation
    status, labelled = await api.request("PATCH", f"{path}/s", {"metadata": {"labels": {
        "kubernetes.io/service-name": "web"}}}, headers=MERGE)
    assert labelled["metadata"]["generation"] == 2
    status, annotated = await api.request("PATCH", f"{path}/s", {"metadata": {"annotations": {"a": "b"}}},
                                          headers=MERGE)
    assert annotated["metadata"]["generation"] == 2
    policies = f"{NET}/namespaces/{ns}/networkpolicies"
    status, policy = await api.post(policies, {"metadata": {"name": "p"}, "spec": {
        "egress": [{"ports": [{"port": 53}]}]}})
    assert status == 201, policy
    assert policy["spec"] == {"podSelector": {}, "egress": [{"ports": [{"port": 53, "protocol": "TCP"}]}],
                              "policyTypes": ["Ingress", "Egress"]}
    assert policy["metadata"]["generation"] == 1
    status, policy = await api.request("PATCH", f"{policies}/p", {"spec": {"policyTypes": ["Egress"]}},
                                       headers=MERGE)
    assert policy["metadata"]["generation"] == 2


async def test_warnings_of_ingress_and_endpointslice(api, ns):
    async def warnings_of(path: str, body: dict) -> list[str]:
        async with api.session.post(api.url + path, json=body) as resp:
            assert resp.status == 201, await resp.text()
            return resp.headers.getall("Warning", [])

    assert await warnings_of(f"{NET}/namespaces/{ns}/ingresses", ingress(
        "old-style", {"defaultBackend": BACKEND}, {"kubernetes.io/ingress.class": "nginx"})) == [
        '299 - "annotation \\"kubernetes.io/ingress.class\\" is deprecated, please use \'spec.ingressClassName\' '
        'instead"']
    assert await warnings_of(f"{NET}/namespaces/{ns}/ingresses", ingress("new-style", {
        "defaultBackend": BACKEND, "ingressClassName": "nginx"})) == []
    assert await warnings_of(f"{DISCOVERY}/namespaces/{ns}/endpointslices", {
        "metadata": {"name": "named"}, "addressType": "FQDN", "endpoints": [{"addresses": ["db.example.com"]}]}) == [
        '299 - "spec.addressType: FQDN endpoints are deprecated"']


async def test_rbac_defaults_and_delete_answers(api, ns):
    status, created = await api.post(f"{RBAC}/namespaces/{ns}/rolebindings", {
        "metadata": {"name": "viewers"}, "roleRef": {"kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "Group", "name": "team"}, {"kind": "ServiceAccount", "name": "robot"}]})
    assert status == 201, created
    assert created["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}
    assert created["subjects"] == [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "team"},
                                   {"kind": "ServiceAccount", "name": "robot"}]
    assert "generation" not in created["metadata"]
    name = f"reader-{uuid.uuid4().hex[:8]}"
    status, _ = await api.put(f"{RBAC}/clusterroles/{name}", {"metadata": {"name": name}, "rules": [
        {"verbs": ["get"], "nonResourceURLs": ["/healthz"]}]})
    assert status == 201, "RBAC kinds may be created by an update"
    status, deleted = await api.delete(f"{RBAC}/clusterroles/{name}")
    assert status == 200 and deleted["kind"] == "Status" and deleted["status"] == "Success", deleted


async def test_field_selectors_are_metadata_only(api, ns):
    path = f"{NET}/namespaces/{ns}/ingresses"
    for name in ("a", "b"):
        status, _ = await api.post(path, ingress(name, {"defaultBackend": BACKEND}))
        assert status == 201
    status, listed = await api.get(path, params={"fieldSelector": "metadata.name=b"})
    assert status == 200 and [i["metadata"]["name"] for i in listed["items"]] == ["b"]
    status, listed = await api.get(path, params={"fieldSelector": f"metadata.namespace={ns}"})
    assert status == 200 and len(listed["items"]) == 2
    for collection in (path, f"{NET}/namespaces/{ns}/networkpolicies", f"{DISCOVERY}/namespaces/{ns}/endpointslices",
                       f"{RBAC}/namespaces/{ns}/rolebindings"):
        status, answer = await api.get(collection, params={"fieldSelector": "spec.anything=x"})
        assert (status, answer["reason"]) == (400, "BadRequest"), answer
        assert answer["message"] == ('"spec.anything" is not a known field selector: only "metadata.name", '
                                     '"metadata.namespace"')


async def test_the_replicas_own_endpoint_slice_is_written(api):
    status, slices = await api.get(f"{DISCOVERY}/namespaces/default/endpointslices",
                                   params={"labelSelector": "kubernetes.io/service-name=kubernetes"})
    assert status == 200 and slices["items"], slices
    assert all(endpoint["addresses"] for item in slices["items"] for endpoint in item["endpoints"])
