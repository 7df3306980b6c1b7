"""`event_filter.filter_event`: what one watcher with a selector sees of a change (kube's cacheWatcher rule)."""
from __future__ import annotations

import pytest

from apiserver.api.meta.fields import parse_field_selector
from apiserver.api.meta.labels import parse_label_selector
from apiserver.storage.event_filter import filter_event
from apiserver.storage.interface import Predicate, WatchEvent


def attrs(obj: dict) -> tuple[dict[str, str], dict[str, str]]:
    meta = obj["metadata"]
    return dict(meta.get("labels") or {}), {"metadata.name": meta["name"], "metadata.namespace": meta["namespace"],
                                            "status.phase": (obj.get("status") or {}).get("phase", "")}


def pod(name: str = "p", env: str | None = None, phase: str = "Pending", rv: str = "5") -> dict:
    labels = {"env": env} if env is not None else {}
    return {"metadata": {"name": name, "namespace": "ns", "labels": labels, "resourceVersion": rv},
            "status": {"phase": phase}}


def predicate(label: str = "", field: str = "") -> Predicate:
    return Predicate(label=parse_label_selector(label), field=parse_field_selector(field), attrs=attrs)


PROD = predicate("env=prod")
NOT_DEV = predicate("env!=dev")
HAS_ENV = predicate("env")
NAMED_A = predicate(field="metadata.name=a")
RUNNING = predicate(field="status.phase=Running")
PROD_AND_RUNNING = predicate("env=prod", "status.phase=Running")

# (predicate, event type, object after, object before) -> expected event type or None
CASES = [
    # label selector: creations
    ("prod", PROD, "ADDED", pod(env="prod"), None, "ADDED"),
    ("prod", PROD, "ADDED", pod(env="dev"), None, None),
    ("prod", PROD, "ADDED", pod(), None, None),
    # label selector: updates
    ("prod", PROD, "MODIFIED", pod(env="prod"), pod(env="prod"), "MODIFIED"),   # staying
    ("prod", PROD, "MODIFIED", pod(env="prod"), pod(env="dev"), "ADDED"),       # entering
    ("prod", PROD, "MODIFIED", pod(env="prod"), pod(), "ADDED"),                # entering (label added)
    ("prod", PROD, "MODIFIED", pod(env="dev"), pod(env="prod"), "DELETED"),     # leaving
    ("prod", PROD, "MODIFIED", pod(), pod(env="prod"), "DELETED"),              # leaving (label removed)
    ("prod", PROD, "MODIFIED", pod(env="dev"), pod(env="test"), None),          # never matching
    ("prod", PROD, "MODIFIED", pod(env="prod"), None, "ADDED"),                 # no previous state known
    ("prod", PROD, "MODIFIED", pod(env="dev"), None, None),
    # label selector: deletions are judged on the last state
    ("prod", PROD, "DELETED", pod(env="prod"), pod(env="prod"), "DELETED"),
    ("prod", PROD, "DELETED", pod(env="dev"), pod(env="dev"), None),
    ("prod", PROD, "DELETED", pod(env="prod"), None, "DELETED"),
    ("prod", PROD, "DELETED", pod(env="dev"), None, None),
    # other label operators
    ("!=dev", NOT_DEV, "MODIFIED", pod(), pod(env="dev"), "ADDED"),
    ("!=dev", NOT_DEV, "MODIFIED", pod(env="dev"), pod(), "DELETED"),
    ("!=dev", NOT_DEV, "MODIFIED", pod(env="x"), pod(), "MODIFIED"),
    ("exists", HAS_ENV, "MODIFIED", pod(env=""), pod(), "ADDED"),
    ("exists", HAS_ENV, "MODIFIED", pod(), pod(env=""), "DELETED"),
    # field selectors
    ("name=a", NAMED_A, "ADDED", pod(name="a"), None, "ADDED"),
    ("name=a", NAMED_A, "ADDED", pod(name="b"), None, None),
    ("name=a", NAMED_A, "MODIFIED", pod(name="a"), pod(name="a"), "MODIFIED"),
    ("name=a", NAMED_A, "DELETED", pod(name="a"), pod(name="a"), "DELETED"),
    ("name=a", NAMED_A, "DELETED", pod(name="b"), pod(name="b"), None),
    ("phase", RUNNING, "MODIFIED", pod(phase="Running"), pod(phase="Pending"), "ADDED"),
    ("phase", RUNNING, "MODIFIED", pod(phase="Succeeded"), pod(phase="Running"), "DELETED"),
    ("phase", RUNNING, "MODIFIED", pod(phase="Running"), pod(phase="Running"), "MODIFIED"),
    ("phase", RUNNING, "MODIFIED", pod(phase="Failed"), pod(phase="Pending"), None),
    # both selectors must hold
    ("both", PROD_AND_RUNNING, "MODIFIED", pod(env="prod", phase="Running"), pod(env="prod"), "ADDED"),
    ("both", PROD_AND_RUNNING, "MODIFIED", pod(env="dev", phase="Running"), pod(env="prod", phase="Running"),
     "DELETED"),
    ("both", PROD_AND_RUNNING, "MODIFIED", pod(env="dev", phase="Running"), pod(env="prod"), None),
]


@pytest.mark.parametrize("label, pred, event_type, obj, prev, expected", CASES,
                         ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_selector_transitions(label, pred, event_type, obj, prev, expected):
    event = filter_event(event_type, obj, prev, 42, pred)
    if expected is None:
        assert event is None
    else:
        assert event is not None
        assert (event.type, event.resource_version) == (expected, 42)


@pytest.mark.parametrize("event_type, obj, prev", [
    ("ADDED", pod(env="dev"), None),
    ("MODIFIED", pod(env="dev"), pod(env="prod")),
    ("MODIFIED", pod(env="a"), pod(env="b")),
    ("DELETED", pod(env="dev"), pod(env="dev")),
    ("DELETED", pod(), None),
])
@pytest.mark.parametrize("empty", [Predicate(), predicate(), Predicate(attrs=attrs)])
def test_empty_predicate_passes_everything_unchanged(empty, event_type, obj, prev):
    assert filter_event(event_type, obj, prev, 9, empty) == WatchEvent(event_type, obj, 9)


def test_staying_and_entering_carry_the_new_object():
    new, old = pod(env="prod", rv="8"), pod(env="prod", phase="Running", rv="7")
    assert filter_event("MODIFIED", new, old, 8, PROD) == WatchEvent("MODIFIED", new, 8)
    entering_old = pod(env="dev", rv="7")
    assert filter_event("MODIFIED", new, entering_old, 8, PROD) == WatchEvent("ADDED", new, 8)


def test_deletion_carries_the_deleted_object():
    gone = pod(env="prod", rv="9")
    assert filter_event("DELETED", gone, gone, 9, PROD) == WatchEvent("DELETED", gone, 9)


def test_leaving_the_selector_sends_the_previous_state():
    # kube's cacheWatcher: the last state this watcher could see, stamped with the event's resourceVersion
    new, old = pod(env="dev", rv="8"), pod(env="prod", rv="7")
    event = filter_event("MODIFIED", new, old, 8, PROD)
    assert event == WatchEvent("DELETED", pod(env="prod", rv="8"), 8)
    assert old["metadata"]["resourceVersion"] == "7", "the cached previous state must not be changed"
