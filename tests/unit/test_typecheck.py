"""Typed-decoding checks against the kinds' schemas: kube's decoder messages for wrong values."""
from __future__ import annotations

import pytest

from apiserver.api.schema import openapi, typecheck
from apiserver.registry.catalogue import Catalogue


def _error(plural: str, group: str, obj: dict) -> str | None:
    info = Catalogue().lookup(group, "v1", plural)
    try:
        typecheck.check(obj, *openapi.schema_for(info), info.kind)
    except typecheck.DecodeError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize(("obj", "message"), [
    ({"spec": "x"}, "json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec"),
    ({"spec": {"replicas": 1.5}},
     "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32"),
    ({"spec": {"replicas": 1 << 40}},
     f"json: cannot unmarshal number {1 << 40} into Go struct field DeploymentSpec.spec.replicas of type int32"),
    ({"spec": {"strategy": {"rollingUpdate": {"maxSurge": True}}}},
     "json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge"
     " of type int32"),
    ({"metadata": {"labels": {"a": 1}}},
     "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"),
    ({"spec": {"template": {"spec": {"containers": {}}}}},
     "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type "
     "[]v1.Container"),
    ({"metadata": {"creationTimestamp": "yesterday"}},
     'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'),
    ({"metadata": {"creationTimestamp": "2024-13-01T00:00:00Z"}}, 'parsing time "2024-13-01T00:00:00Z": month out of '
                                                                  'range'),
    ({"spec": {"replicas": None, "paused": None}}, None),
    ({"spec": {"strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}}}}, None),
    ({"metadata": {"creationTimestamp": "2024-01-01T10:00:00.5+02:00"}}, None),
])
def test_deployment_values(obj, message):
    assert _error("deployments", "apps", obj) == message


@pytest.mark.parametrize(("value", "message"), [
    ("500m", None), ("1Gi", None), ("1e3", None), (2, None), (0.5, None),
    ("lots", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    ("1KK", "unable to parse quantity's suffix"),
    ("1.2.3", "unable to parse numeric part of quantity"),
])
def test_quantities(value, message):
    pod = {"spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": value}}}]}}
    assert _error("pods", "", pod) == message


def test_bytes_and_free_form():
    assert _error("secrets", "", {"data": {"a": "YWJj"}}) is None
    assert _error("secrets", "", {"data": {"a": "ab!c"}}) == "illegal base64 data at input byte 2"
    assert _error("configmaps", "", {"metadata": {"managedFields": [{"fieldsV1": {"f:data": {}}}]}}) is None
