"""authorization.k8s.io/v1 reviews, answered by the replica's whole authorizer union and never stored:
SubjectAccessReview (any user), SelfSubjectAccessReview (the caller), LocalSubjectAccessReview (any user, in
the URL's namespace) and SelfSubjectRulesReview (what the caller may do in a namespace)."""
from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable

from apiserver.api.meta import errors
from apiserver.api.meta.goformat import aggregate, quote
from apiserver.api.meta.types import Obj
from apiserver.authz.authorizer import (
    Attributes,
    AuthorizationFailed,
    Decision,
    UnionAuthorizer,
)
from apiserver.registry.virtual import VirtualCreate, VirtualRequest
from apiserver.request.info import RequestInfo
from apiserver.request.user import UserInfo

GROUP, VERSION = "authorization.k8s.io", "v1"
# (caller, URL namespace, posted review) → the review with its status
Review = Callable[[UserInfo, str, Obj], Awaitable[Obj]]


def _object(value: object) -> Obj:
    return value if isinstance(value, dict) else {}


def _invalid(field: str, value: str, detail: str) -> errors.Cause:
    return errors.Cause("FieldValueInvalid", f"Invalid value: {value}: {detail}", field)


def _spec_causes(spec: Obj) -> list[errors.Cause]:
    """kube's ValidateSubjectAccessReviewSpec, the part every review kind shares."""
    resource, non_resource = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if resource is not None and non_resource is not None:
        return [_invalid("spec.nonResourceAttributes", '"object"',
                         "cannot be specified in combination with resourceAttributes")]
    if resource is None and non_resource is None:
        return [_invalid("spec.resourceAttributes", '"null"',
                         "exactly one of nonResourceAttributes or resourceAttributes must be specified")]
    return []


def request_info(spec: Obj) -> RequestInfo:
    """The attributes a review asks about, as the authorizers see a request."""
    resource = spec.get("resourceAttributes")
    if resource is not None:
        return RequestInfo(path="", verb=resource.get("verb", ""), is_resource_request=True,
                           api_group=resource.get("group", ""), api_version=resource.get("version", ""),
                           namespace=resource.get("namespace", ""), resource=resource.get("resource", ""),
                           subresource=resource.get("subresource", ""), name=resource.get("name", ""))
    non_resource = spec.get("nonResourceAttributes") or {}
    return RequestInfo(path=non_resource.get("path", ""), verb=non_resource.get("verb", ""))


def _user_of(spec: Obj) -> UserInfo:
    extra = {key: tuple(values or ()) for key, values in (spec.get("extra") or {}).items()}
    return UserInfo(spec.get("user", ""), spec.get("uid", ""), tuple(spec.get("groups") or ()), extra)


class Reviews:
    def __init__(self, authorizer: UnionAuthorizer) -> None:
        self.authorizer = authorizer

    def handlers(self) -> dict[tuple[str, str, str], VirtualCreate]:
        """The four reviews as handlers of the virtual (create-only) catalogue rows."""
        def answer(review: Review) -> VirtualCreate:
            async def handle(request: VirtualRequest) -> Obj:
                result = await review(request.user, request.namespace, copy.deepcopy(request.body))
                return {key: result[key] for key in ("spec", "status") if key in result}
            return handle

        return {(GROUP, VERSION, plural): answer(review) for plural, review in (
            ("subjectaccessreviews", self.subject_access_review),
            ("selfsubjectaccessreviews", self.self_subject_access_review),
            ("localsubjectaccessreviews", self.local_subject_access_review),
            ("selfsubjectrulesreviews", self.self_subject_rules_review))}

    async def _decide(self, review: Obj, user: UserInfo) -> Obj:
        try:
            decision, reason = await self.authorizer.decide(Attributes(user, request_info(review["spec"])))
        except AuthorizationFailed as exc:
            # a mode that could not evaluate is reported, not raised, as kube's reviews report it
            review["status"] = {"allowed": False, "evaluationError": str(exc)}
            return review
        status: Obj = {"allowed": decision is Decision.ALLOW}
        if decision is Decision.DENY:
            status["denied"] = True
        if reason:
            status["reason"] = reason
        review["status"] = status
        return review

    @staticmethod
    def _spec(kind: str, review: Obj, with_user: bool, extra: list[errors.Cause] | None = None) -> Obj:
        spec = review.get("spec")
        if not isinstance(spec, dict):
            spec = review["spec"] = {}
        causes = _spec_causes(spec) + (extra or [])
        if with_user and not spec.get("user") and not spec.get("groups"):
            causes.append(_invalid("spec.user", quote(spec.get("user", "")),
                                   "at least one of user or group must be specified"))
        if causes:
            raise errors.invalid(kind, GROUP, "", causes)
        return spec

    async def subject_access_review(self, caller: UserInfo, namespace: str, review: Obj) -> Obj:
        spec = self._spec("SubjectAccessReview", review, True)
        return await self._decide(review, _user_of(spec))

    async def self_subject_access_review(self, caller: UserInfo, namespace: str, review: Obj) -> Obj:
        self._spec("SelfSubjectAccessReview", review, False)
        return await self._decide(review, caller)

    async def local_subject_access_review(self, caller: UserInfo, namespace: str, review: Obj) -> Obj:
        spec = _object(review.get("spec"))
        extra = []
        asked = (spec.get("resourceAttributes") or {}).get("namespace", "")
        if spec.get("resourceAttributes") is not None and asked != namespace:
            extra.append(_invalid("spec.resourceAttributes.namespace", quote(asked), "must match metadata.namespace"))
        if spec.get("nonResourceAttributes") is not None:
            extra.append(_invalid("spec.nonResourceAttributes", '"object"', "disallowed on this kind of request"))
        spec = self._spec("LocalSubjectAccessReview", review, True, extra)
        return await self._decide(review, _user_of(spec))

    async def self_subject_rules_review(self, caller: UserInfo, namespace: str, review: Obj) -> Obj:
        spec = _object(review.get("spec"))
        if not spec.get("namespace"):
            raise errors.bad_request("no namespace on request")
        rules, failures, incomplete = await self.authorizer.rules_for(caller, spec["namespace"])
        resource_rules, non_resource_rules = [], []
        for rule in rules:
            if rule.resources:
                entry: Obj = {"verbs": list(rule.verbs), "apiGroups": list(rule.api_groups),
                              "resources": list(rule.resources)}
                if rule.resource_names:
                    entry["resourceNames"] = list(rule.resource_names)
                resource_rules.append(entry)
            if rule.non_resource_urls:
                non_resource_rules.append({"verbs": list(rule.verbs), "nonResourceURLs": list(rule.non_resource_urls)})
        status: Obj = {"resourceRules": resource_rules, "nonResourceRules": non_resource_rules,
                       "incomplete": incomplete}
        if failures:
            status["evaluationError"] = aggregate(failures)
        review["status"] = status
        return review
