"""events.k8s.io/v1 Event ↔ the Event hub, as kube 1.32 converts them.

The hub has core/v1 Event's shape: kube's internal Event is the core one, and both versions are stored as
core/v1 Events. The two versions hold the same fields; events.k8s.io/v1 renames seven of them (kube:
pkg/apis/events/v1/conversion.go, and the internal Event's JSON names in core/v1, where `reportingController`
is spelled `reportingComponent`). Nothing else moves: `reportingInstance` stays `reportingInstance` (it is
not `source.host`), and a `reportingController` leaves `source.component` alone. Those that match by name
(`eventTime`, `series`, `action`, `reason`, `type`, `related`, `reportingInstance`, metadata) pass as they are.
"""
from __future__ import annotations

from apiserver.api.conversion.hub import Conversion
from apiserver.api.meta.types import Obj

# events.k8s.io/v1 name → core/v1 name
_RENAMED = {
    "regarding": "involvedObject",
    "note": "message",
    "deprecatedSource": "source",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedCount": "count",
    "reportingController": "reportingComponent",
}
_BACK = {core: v1 for v1, core in _RENAMED.items()}
# struct-valued fields without a pointer in events.k8s.io/v1's Go type: kube always writes them, {} when empty
_ALWAYS = ("regarding", "deprecatedSource")
# omitempty scalars of events.k8s.io/v1 whose core/v1 counterparts are not omitempty (or come back from protobuf
# storage as zero values): kube leaves them out of a v1 answer when they are zero
_OMITTED_WHEN_ZERO = ("reportingController", "reportingInstance", "action", "reason", "note", "type",
                      "deprecatedCount")

# kube's field label conversion of events.k8s.io/v1 Events: each label it accepts → the internal Event's
# selectable field (an events.k8s.io client cannot select on involvedObject.* or reportingComponent)
FIELD_LABELS = {
    "metadata.name": "metadata.name",
    "metadata.namespace": "metadata.namespace",
    "reason": "reason",
    "regarding.kind": "involvedObject.kind",
    "regarding.namespace": "involvedObject.namespace",
    "regarding.name": "involvedObject.name",
    "regarding.uid": "involvedObject.uid",
    "regarding.apiVersion": "involvedObject.apiVersion",
    "regarding.resourceVersion": "involvedObject.resourceVersion",
    "regarding.fieldPath": "involvedObject.fieldPath",
    "reportingController": "reportingComponent",
    "source": "source",
    "type": "type",
}


def to_hub(event: Obj) -> Obj:
    """An events.k8s.io/v1 Event in the hub's (core/v1) shape."""
    return {_RENAMED.get(name, name): value for name, value in event.items()}


def from_hub(event: Obj) -> Obj:
    """A hub (core/v1) Event in events.k8s.io/v1's shape."""
    out = {_BACK.get(name, name): value for name, value in event.items()}
    for name in _OMITTED_WHEN_ZERO:
        if name in out and not out[name]:
            del out[name]
    for name in _ALWAYS:
        if out.get(name) is None:
            out[name] = {}
    return out


V1 = Conversion(to_hub=to_hub, from_hub=from_hub, field_labels=FIELD_LABELS)
