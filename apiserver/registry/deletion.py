"""What a DELETE does to an object before (or instead of) removing it: graceful deletion, finalizers and the
garbage collector's propagation finalizers, decided as kube-apiserver's generic store decides them.

An object is removed from storage at once only when it has no finalizers left and its strategy grants no
grace period; otherwise it is updated to carry deletionTimestamp (and deletionGracePeriodSeconds) and stays
until whoever owns the finalizers (or, for pods, the grace period) lets it go.
"""
from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from apiserver.api.meta.types import Obj
from apiserver.storage.interface import Preconditions

ORPHAN_FINALIZER = "orphan"
FOREGROUND_FINALIZER = "foregroundDeletion"
PROPAGATION_POLICIES = ("Foreground", "Background", "Orphan")


@dataclass(frozen=True)
class DeleteOptions:
    preconditions: Preconditions = field(default_factory=Preconditions)
    propagation_policy: str = ""
    grace_period_seconds: int | None = None
    dry_run: bool = False
    # the legacy boolean that propagationPolicy replaced; still honoured, and the only way to get 202
    orphan_dependents: bool | None = None


class Outcome(Enum):
    DELETE_NOW = "delete now"
    UPDATE = "update"  # store the object carrying its deletion marks; it stays for now
    PENDING = "pending"  # a graceful deletion is already under way and this request changes nothing


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    obj: Obj


def format_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)


# the grace period a delete grants, from the object and the requested seconds (None: not asked)
GracePeriod = Callable[[Obj, int | None], int]


def decide(obj: Obj, options: DeleteOptions, grace_period: GracePeriod | None,
           pending_finalizers: Callable[[Obj], bool],
           now: datetime.datetime | None = None) -> Decision:
    """`grace_period(obj, requested)` is the strategy's grace (None: not graceful); `pending_finalizers(obj)`
    says whether anything still holds the object."""
    now = now or datetime.datetime.now(datetime.UTC)
    new = copy.deepcopy(obj)
    meta = new["metadata"]
    requested = options.grace_period_seconds
    if requested is not None and requested < 0:
        requested = 1  # kube treats a negative grace period as one second
    graceful = False
    if grace_period is not None:
        if meta.get("deletionTimestamp"):
            current = meta.get("deletionGracePeriodSeconds")
            if current:
                if requested is None or requested >= current:
                    return Decision(Outcome.PENDING, obj)
                # only a shorter grace period may replace the running one
                started = parse_time(meta["deletionTimestamp"]) - datetime.timedelta(seconds=current)
                meta["deletionTimestamp"] = format_time(started + datetime.timedelta(seconds=requested))
                meta["deletionGracePeriodSeconds"] = requested
                graceful = requested > 0
        else:
            period = grace_period(new, requested)
            if period > 0:
                meta["deletionTimestamp"] = format_time(now + datetime.timedelta(seconds=period))
                meta["deletionGracePeriodSeconds"] = period
                if meta.get("generation"):
                    meta["generation"] += 1
                graceful = True
    finalizers = propagation_finalizers(meta.get("finalizers") or [], options)
    if finalizers:
        meta["finalizers"] = finalizers
    else:
        meta.pop("finalizers", None)
    if graceful:
        return Decision(Outcome.UPDATE, new)
    if pending_finalizers(new):
        if not meta.get("deletionTimestamp"):
            if meta.get("generation"):
                meta["generation"] += 1
            meta["deletionTimestamp"] = format_time(now)
        meta["deletionGracePeriodSeconds"] = 0
        return Decision(Outcome.UPDATE, new)
    return Decision(Outcome.DELETE_NOW, new)


def propagation_finalizers(finalizers: list[str], options: DeleteOptions) -> list[str]:
    """The object's finalizers with the garbage collector's `orphan` / `foregroundDeletion` set as the options
    ask; without a policy in the request, whatever the object already carries stays (kube's order of
    precedence: propagationPolicy, then orphanDependents, then existing finalizers, then the default, which is
    Background for every served version)."""
    policy = options.propagation_policy
    orphan = foreground = False
    if policy:
        orphan, foreground = policy == "Orphan", policy == "Foreground"
    elif options.orphan_dependents is not None:
        orphan = options.orphan_dependents
    else:
        orphan, foreground = ORPHAN_FINALIZER in finalizers, FOREGROUND_FINALIZER in finalizers
    kept = [f for f in finalizers if f not in (ORPHAN_FINALIZER, FOREGROUND_FINALIZER)]
    return kept + ([ORPHAN_FINALIZER] if orphan else []) + ([FOREGROUND_FINALIZER] if foreground else [])


def has_finalizers(obj: Obj) -> bool:
    return bool((obj.get("metadata") or {}).get("finalizers"))
