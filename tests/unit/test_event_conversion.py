"""events.k8s.io/v1 Event ↔ the core/v1-shaped hub, and the field selector labels of events.k8s.io/v1."""
from __future__ import annotations

import pytest

from apiserver.api.conversion.events import FIELD_LABELS, from_hub, to_hub
from apiserver.api.conversion.hub import converter
from apiserver.api.meta.fields import parse_field_selector
from apiserver.api.meta.labels import SelectorParseError
from apiserver.registry.catalogue import Catalogue

META = {"name": "e", "namespace": "ns", "resourceVersion": "7"}
POD = {"kind": "Pod", "namespace": "ns", "name": "p", "uid": "u-1", "apiVersion": "v1", "fieldPath": "spec"}
NODE = {"kind": "Node", "name": "n1", "apiVersion": "v1"}
SERIES = {"count": 4, "lastObservedTime": "2026-01-01T00:00:09.000000Z"}

EVENTS_V1 = {"metadata": META, "eventTime": "2026-01-01T00:00:00.000000Z", "series": SERIES,
             "reportingController": "kubelet", "reportingInstance": "kubelet-n1", "action": "Pulling",
             "reason": "Pulled", "regarding": POD, "related": NODE, "note": "image pulled", "type": "Normal",
             "deprecatedSource": {"component": "kubelet", "host": "n1"},
             "deprecatedFirstTimestamp": "2026-01-01T00:00:00Z", "deprecatedLastTimestamp": "2026-01-01T00:00:09Z",
             "deprecatedCount": 4}
CORE_V1 = {"metadata": META, "eventTime": "2026-01-01T00:00:00.000000Z", "series": SERIES,
           "reportingComponent": "kubelet", "reportingInstance": "kubelet-n1", "action": "Pulling",
           "reason": "Pulled", "involvedObject": POD, "related": NODE, "message": "image pulled", "type": "Normal",
           "source": {"component": "kubelet", "host": "n1"}, "firstTimestamp": "2026-01-01T00:00:00Z",
           "lastTimestamp": "2026-01-01T00:00:09Z", "count": 4}


def test_every_field_has_its_counterpart():
    assert to_hub(EVENTS_V1) == CORE_V1
    assert from_hub(CORE_V1) == EVENTS_V1


def test_reporting_fields_stay_apart_from_the_deprecated_source():
    # kube copies reportingInstance as it is and leaves source alone: no field is filled from another
    new_style = {"metadata": META, "eventTime": "2026-01-01T00:00:00.000000Z", "reportingController": "sched",
                 "reportingInstance": "sched-1", "action": "Binding", "reason": "Scheduled", "regarding": POD}
    hub = to_hub(new_style)
    assert hub["reportingComponent"] == "sched" and hub["reportingInstance"] == "sched-1"
    assert "source" not in hub and "message" not in hub and "count" not in hub
    old_style = {"metadata": META, "involvedObject": POD, "reason": "Killing", "message": "stop",
                 "source": {"component": "kubelet", "host": "n1"}, "count": 2}
    v1 = from_hub(old_style)
    assert v1["deprecatedSource"] == {"component": "kubelet", "host": "n1"} and v1["deprecatedCount"] == 2
    assert "reportingController" not in v1 and "reportingInstance" not in v1 and "series" not in v1


def test_struct_fields_are_always_written_in_events_v1_and_zero_scalars_never():
    v1 = from_hub({"metadata": META, "reason": "R"})
    assert v1["regarding"] == {} and v1["deprecatedSource"] == {}
    # core/v1 always writes its reporting fields (protobuf storage reads them back as ""); v1 omits them empty
    v1 = from_hub({"metadata": META, "involvedObject": POD, "reportingComponent": "", "reportingInstance": "",
                   "count": 0, "message": "", "type": "Normal"})
    assert v1 == {"metadata": META, "regarding": POD, "deprecatedSource": {}, "type": "Normal"}


def test_conversion_does_not_change_its_argument():
    before = {k: v for k, v in CORE_V1.items()}
    from_hub(CORE_V1)
    to_hub(EVENTS_V1)
    assert CORE_V1 == before


def test_catalogue_stores_events_k8s_io_events_as_core_events():
    catalogue = Catalogue()
    core = catalogue.lookup("", "v1", "events")
    events = catalogue.lookup("events.k8s.io", "v1", "events")
    assert core is not None and events is not None
    assert events.stored_in == ("", "v1", "events") and core.stored_in == ("", "v1", "events")
    assert [(r.group, r.plural) for r in catalogue.stored() if r.plural == "events"] == [("", "events")]
    out = converter(core, events)({"apiVersion": "v1", "kind": "Event", **CORE_V1})
    assert out == {"apiVersion": "events.k8s.io/v1", "kind": "Event", **EVENTS_V1}
    back = converter(events, core)(out)
    assert back == {"apiVersion": "v1", "kind": "Event", **CORE_V1}


def test_field_labels_are_kubes_for_events_v1():
    selector = parse_field_selector("regarding.name=p,reportingController=kubelet,type!=Warning,source=x")
    assert str(selector.relabel(FIELD_LABELS)) == (
        "involvedObject.name=p,reportingComponent=kubelet,source=x,type!=Warning")
    for unsupported in ("involvedObject.name=p", "reportingComponent=k", "note=x", "reportingInstance=i"):
        with pytest.raises(SelectorParseError, match=f"field label not supported: {unsupported.split('=')[0]}"):
            parse_field_selector(unsupported).relabel(FIELD_LABELS)
