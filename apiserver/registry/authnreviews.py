"""authentication.k8s.io reviews: TokenReview runs a token through this server's token authenticators,
SelfSubjectReview tells the caller who the server takes them for (`kubectl auth whoami`)."""
from __future__ import annotations

from typing import Any

from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.authn.union import UnionAuthenticator
from apiserver.authn.user import AuthenticationFailed
from apiserver.registry.virtual import VirtualCreate, VirtualRequest
from apiserver.request.user import UserInfo

GROUP = "authentication.k8s.io"


def user_info_json(user: UserInfo) -> dict[str, Any]:
    """authentication.k8s.io UserInfo: empty fields left out, as kube's omitempty does."""
    out: dict[str, Any] = {}
    if user.name:
        out["username"] = user.name
    if user.uid:
        out["uid"] = user.uid
    if user.groups:
        out["groups"] = list(user.groups)
    if user.extra:
        out["extra"] = {k: list(v) for k, v in user.extra.items()}
    return out


def token_review(authenticator: UnionAuthenticator, api_audiences: tuple[str, ...]) -> VirtualCreate:
    async def create(request: VirtualRequest) -> Obj:
        spec = request.body.get("spec") or {}
        token = spec.get("token") or ""
        if not token:
            raise errors.bad_request("token is required for TokenReview in authentication")
        audiences = tuple(spec.get("audiences") or ()) or api_audiences
        status: dict[str, Any] = {"user": {}}
        try:
            result = await authenticator.authenticate_token(token, audiences)
            error = "" if result else "invalid bearer token"
        except AuthenticationFailed as exc:
            result, error = None, str(exc)
        if result is not None:
            status = {"authenticated": True, "user": user_info_json(result.user)}
            if result.audiences:
                status["audiences"] = list(result.audiences)
        if error:
            status["error"] = error
        return {"spec": spec, "status": status}

    return create


async def self_subject_review(request: VirtualRequest) -> Obj:
    return {"status": {"userInfo": user_info_json(request.user)}}


def handlers(authenticator: UnionAuthenticator, api_audiences: tuple[str, ...]) -> dict[tuple[str, str, str],
                                                                                        VirtualCreate]:
    return {(GROUP, "v1", "tokenreviews"): token_review(authenticator, api_audiences),
            (GROUP, "v1", "selfsubjectreviews"): self_subject_review}
