"""Validation of admissionregistration.k8s.io/v1 MutatingWebhookConfiguration and ValidatingWebhookConfiguration, with
kube's field paths and messages (pkg/apis/admissionregistration/validation and apiserver's util/webhook). Objects
arrive defaulted. An update is held to the strict rules only where the stored object already met them, as kube
relaxes them so that old configurations stay writable.

matchConditions are CEL expressions, which this server does not evaluate: a webhook that has any is refused rather
than called on requests its conditions would have excluded (docs/kinds.md)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from apiserver.api.meta.errors import Cause
from apiserver.api.meta.labels import dns1123_subdomain_errors
from apiserver.api.meta.types import Obj
from apiserver.api.validation.kinds import (
    GoValue,
    duplicate,
    forbidden,
    invalid,
    is_int,
    not_supported,
    required,
    string_slice,
)
from apiserver.api.validation.labelselector import label_selector
from apiserver.api.validation.metadata import name_errors

REVIEW_VERSIONS = ("v1", "v1beta1")
FAILURE_POLICIES = ("Fail", "Ignore")
MATCH_POLICIES = ("Equivalent", "Exact")
NO_SIDE_EFFECTS = ("None", "NoneOnDryRun")
SCOPES = ("*", "Cluster", "Namespaced")
OPERATIONS = ("*", "CONNECT", "CREATE", "DELETE", "UPDATE")
REINVOCATION_POLICIES = ("IfNeeded", "Never")
_URL_FORM = "; desired format: https://host[/path]"


@dataclass(frozen=True)
class _Options:
    """The rules an update relaxes when the stored configuration broke them already."""
    no_side_effects: bool = True
    recognized_review_version: bool = True
    unique_names: bool = True
    allow_invalid_label_values: bool = False


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _has_wildcard(values: list[Any]) -> bool:
    return "*" in values


def fully_qualified_name(name: Any, path: str) -> list[Cause]:
    if not name:
        return [required(path)]
    text = str(name)
    problems = dns1123_subdomain_errors(text)
    if problems:
        return [invalid(path, text, ",".join(problems))]
    if len(text.split(".")) < 3:
        return [invalid(path, text, "should be a domain with at least three segments separated by dots")]
    return []


def _resources(resources: list[Any], path: str) -> list[Cause]:
    causes = [] if resources else [required(path)]
    with_any_sub: set[str] = set()
    any_resource_with: set[str] = set()
    double_wildcard = single_wildcard = plain = False
    for i, entry in enumerate(resources):
        if not entry:
            causes.append(required(f"{path}[{i}]"))
            continue
        entry = str(entry)
        double_wildcard = double_wildcard or entry == "*/*"
        single_wildcard = single_wildcard or entry == "*"
        if "/" not in entry:
            # as kube: the last resource without a subresource decides
            plain = entry != "*"
            continue
        res, sub = entry.split("/", 1)
        if res in with_any_sub:
            causes.append(invalid(f"{path}[{i}]", entry, f"if '{res}/*' is present, must not specify {entry}"))
        if sub in any_resource_with:
            causes.append(invalid(f"{path}[{i}]", entry, f"if '*/{sub}' is present, must not specify {entry}"))
        if sub == "*":
            with_any_sub.add(res)
        if res == "*":
            any_resource_with.add(sub)
    if len(resources) > 1 and double_wildcard:
        causes.append(invalid(path, string_slice(resources), "if '*/*' is present, must not specify other resources"))
    if single_wildcard and plain:
        causes.append(invalid(path, string_slice(resources),
                              "if '*' is present, must not specify other resources without subresources"))
    return causes


def _rule(rule: Obj, path: str) -> list[Cause]:
    causes: list[Cause] = []
    operations = _list(rule.get("operations"))
    if not operations:
        causes.append(required(f"{path}.operations"))
    if len(operations) > 1 and _has_wildcard(operations):
        rendered = GoValue("[]admissionregistration.OperationType{" + ", ".join(f'"{o}"' for o in operations) + "}")
        causes.append(invalid(f"{path}.operations", rendered, "if '*' is present, must not specify other operations"))
    for i, operation in enumerate(operations):
        if operation not in OPERATIONS:
            causes.append(not_supported(f"{path}.operations[{i}]", operation, OPERATIONS))
    groups, versions = _list(rule.get("apiGroups")), _list(rule.get("apiVersions"))
    if not groups:
        causes.append(required(f"{path}.apiGroups"))
    if len(groups) > 1 and _has_wildcard(groups):
        causes.append(invalid(f"{path}.apiGroups", string_slice(groups),
                              "if '*' is present, must not specify other API groups"))
    if not versions:
        causes.append(required(f"{path}.apiVersions"))
    if len(versions) > 1 and _has_wildcard(versions):
        causes.append(invalid(f"{path}.apiVersions", string_slice(versions),
                              "if '*' is present, must not specify other API versions"))
    causes += [required(f"{path}.apiVersions[{i}]") for i, version in enumerate(versions) if version == ""]
    causes += _resources(_list(rule.get("resources")), f"{path}.resources")
    scope = rule.get("scope")
    if scope is not None and scope not in SCOPES:
        causes.append(not_supported(f"{path}.scope", scope, SCOPES))
    return causes


def webhook_url(url: str, path: str) -> list[Cause]:
    try:
        parts = urlsplit(url)
        host = parts.netloc.rsplit("@", 1)[-1]
    except ValueError as exc:
        return [required(path, f"url must be a valid URL: {exc}{_URL_FORM}")]
    causes = []
    if parts.scheme != "https":
        causes.append(invalid(path, parts.scheme, "'https' is the only allowed URL scheme" + _URL_FORM))
    if not host:
        causes.append(invalid(path, host, "host must be provided" + _URL_FORM))
    if "@" in parts.netloc:
        causes.append(invalid(path, parts.netloc.rsplit("@", 1)[0], "user information is not permitted in the URL"))
    if parts.fragment:
        causes.append(invalid(path, parts.fragment, "fragments are not permitted in the URL"))
    if parts.query:
        causes.append(invalid(path, parts.query, "query parameters are not permitted in the URL"))
    return causes


def webhook_service(service: Obj, path: str) -> list[Cause]:
    causes = []
    if not service.get("name"):
        causes.append(required(f"{path}.name", "service name is required"))
    if not service.get("namespace"):
        causes.append(required(f"{path}.namespace", "service namespace is required"))
    port = service.get("port")
    if is_int(port) and not 1 <= port <= 65535:
        causes.append(invalid(f"{path}.port", port, "port is not valid: must be between 1 and 65535, inclusive"))
    url_path = service.get("path")
    if not isinstance(url_path, str) or url_path in ("", "/"):
        return causes
    if url_path == "//":
        return causes + [invalid(f"{path}.path", url_path, "segment[0] may not be empty")]
    if not url_path.startswith("/"):
        causes.append(invalid(f"{path}.path", url_path, "must start with a '/'"))
    steps = url_path[1:]
    if steps.endswith("/"):
        steps = steps[:-1]
    for i, step in enumerate(steps.split("/")):
        if not step:
            causes.append(invalid(f"{path}.path", url_path, f"segment[{i}] may not be empty"))
            continue
        causes += [invalid(f"{path}.path", url_path, f"segment[{i}]: {problem}")
                   for problem in dns1123_subdomain_errors(step)]
    return causes


def _client_config(config: Obj, path: str) -> list[Cause]:
    url, service = config.get("url"), config.get("service")
    if (url is None) == (service is None):
        return [required(path, "exactly one of url or service is required")]
    if url is not None:
        return webhook_url(str(url), f"{path}.url")
    return webhook_service(_dict(service), f"{path}.service")


def _review_versions(versions: list[Any], options: _Options, path: str) -> list[Cause]:
    if not versions:
        return [required(path, f"must specify one of {', '.join(REVIEW_VERSIONS)}")]
    causes: list[Cause] = []
    seen: set[str] = set()
    for i, version in enumerate(versions):
        version = str(version)
        if version in seen:
            causes.append(invalid(f"{path}[{i}]", version, "duplicate version"))
            continue
        seen.add(version)
        causes += [invalid(f"{path}[{i}]", version, problem) for problem in name_errors(version, "dns1035")]
    if options.recognized_review_version and not any(str(v) in REVIEW_VERSIONS for v in versions):
        causes.append(invalid(path, string_slice(versions),
                              f"must include at least one of {', '.join(REVIEW_VERSIONS)}"))
    return causes


def _webhook(hook: Obj, options: _Options, mutating: bool, path: str) -> list[Cause]:
    causes = fully_qualified_name(hook.get("name"), f"{path}.name")
    for i, rule in enumerate(_list(hook.get("rules"))):
        causes += _rule(_dict(rule), f"{path}.rules[{i}]")
    for field, allowed in (("failurePolicy", FAILURE_POLICIES), ("matchPolicy", MATCH_POLICIES)):
        if hook.get(field) is not None and hook[field] not in allowed:
            causes.append(not_supported(f"{path}.{field}", hook[field], allowed))
    side_effects = hook.get("sideEffects")
    allowed_effects = NO_SIDE_EFFECTS if options.no_side_effects else ("None", "NoneOnDryRun", "Some", "Unknown")
    if side_effects is None:
        causes.append(required(f"{path}.sideEffects", f"must specify one of {', '.join(allowed_effects)}"))
    elif side_effects not in allowed_effects:
        causes.append(not_supported(f"{path}.sideEffects", side_effects, allowed_effects))
    timeout = hook.get("timeoutSeconds")
    if is_int(timeout) and not 1 <= timeout <= 30:
        causes.append(invalid(f"{path}.timeoutSeconds", timeout, "the timeout value must be between 1 and 30 seconds"))
    for field in ("namespaceSelector", "objectSelector"):
        causes += label_selector(hook.get(field), f"{path}.{field}", options.allow_invalid_label_values)
    policy = hook.get("reinvocationPolicy")
    if mutating and policy is not None and policy not in REINVOCATION_POLICIES:
        causes.append(not_supported(f"{path}.reinvocationPolicy", policy, REINVOCATION_POLICIES))
    causes += _client_config(_dict(hook.get("clientConfig")), f"{path}.clientConfig")
    if _list(hook.get("matchConditions")):
        causes.append(forbidden(f"{path}.matchConditions",
                                "match conditions are CEL expressions, which this server does not evaluate"))
    return causes


def _configuration(obj: Obj, options: _Options, mutating: bool) -> list[Cause]:
    causes: list[Cause] = []
    names: set[str] = set()
    for i, hook in enumerate(_list(obj.get("webhooks"))):
        hook = _dict(hook)
        path = f"webhooks[{i}]"
        causes += _webhook(hook, options, mutating, path)
        causes += _review_versions(_list(hook.get("admissionReviewVersions")), options,
                                   f"{path}.admissionReviewVersions")
        name = hook.get("name")
        if options.unique_names and name:
            if name in names:
                causes.append(duplicate(f"{path}.name", name))
            names.add(name)
    return causes


def _relaxed(old: Obj) -> _Options:
    """kube's update options: each rule holds only if the stored configuration already kept it."""
    hooks = [_dict(h) for h in _list(old.get("webhooks"))]
    names = [h.get("name") for h in hooks]

    def selectors_valid(hook: Obj) -> bool:
        return not any(label_selector(hook.get(f), f) for f in ("namespaceSelector", "objectSelector"))

    return _Options(
        no_side_effects=all(h.get("sideEffects") in NO_SIDE_EFFECTS for h in hooks),
        recognized_review_version=all(not _list(h.get("admissionReviewVersions"))
                                      or any(v in REVIEW_VERSIONS for v in _list(h.get("admissionReviewVersions")))
                                      for h in hooks),
        unique_names=len(names) == len(set(names)),
        allow_invalid_label_values=not all(selectors_valid(h) for h in hooks))


def mutating_webhook_configuration(obj: Obj) -> list[Cause]:
    return _configuration(obj, _Options(), mutating=True)


def mutating_webhook_configuration_update(new: Obj, old: Obj) -> list[Cause]:
    return _configuration(new, _relaxed(old), mutating=True)


def validating_webhook_configuration(obj: Obj) -> list[Cause]:
    return _configuration(obj, _Options(), mutating=False)


def validating_webhook_configuration_update(new: Obj, old: Obj) -> list[Cause]:
    return _configuration(new, _relaxed(old), mutating=False)
