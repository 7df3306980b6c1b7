"""JSON merge patch (RFC 7386), checked against the RFC's own examples."""
from __future__ import annotations

import copy

import pytest

from apiserver.endpoints.rest import merge_patch

# RFC 7386 Appendix A, in order: (original, patch, result)
APPENDIX_A = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]

# RFC 7386 section 3's worked example
RFC_TARGET = {
    "title": "Goodbye!",
    "author": {"givenName": "John", "familyName": "Doe"},
    "tags": ["example", "sample"],
    "content": "This will be unchanged",
}
RFC_PATCH = {
    "title": "Hello!",
    "phoneNumber": "+01-123-456-7890",
    "author": {"familyName": None},
    "tags": ["example"],
}
RFC_RESULT = {
    "title": "Hello!",
    "author": {"givenName": "John"},
    "tags": ["example"],
    "content": "This will be unchanged",
    "phoneNumber": "+01-123-456-7890",
}


@pytest.mark.parametrize("original, patch, result", APPENDIX_A, ids=[f"A{i + 1}" for i in range(len(APPENDIX_A))])
def test_rfc7386_appendix_a(original, patch, result):
    assert merge_patch(original, patch) == result


def test_rfc7386_section_3_example():
    assert merge_patch(RFC_TARGET, RFC_PATCH) == RFC_RESULT


@pytest.mark.parametrize("original, patch, result", [
    *APPENDIX_A,
    (RFC_TARGET, RFC_PATCH, RFC_RESULT),
])
def test_neither_input_is_modified(original, patch, result):
    original_copy, patch_copy = copy.deepcopy(original), copy.deepcopy(patch)
    merge_patch(original, patch)
    assert (original, patch) == (original_copy, patch_copy)


def test_the_result_shares_no_lists_or_objects_with_the_patch():
    patch = {"a": {"b": [1, {"c": 2}]}, "d": [3]}
    result = merge_patch({}, patch)
    result["a"]["b"][1]["c"] = 99
    result["d"].append(4)
    assert patch == {"a": {"b": [1, {"c": 2}]}, "d": [3]}


@pytest.mark.parametrize("original, patch, result", [
    # a kube-style metadata patch: remove one label, add another, leave the rest
    ({"metadata": {"name": "x", "labels": {"a": "1", "b": "2"}}, "data": {"k": "v"}},
     {"metadata": {"labels": {"a": None, "c": "3"}}},
     {"metadata": {"name": "x", "labels": {"b": "2", "c": "3"}}, "data": {"k": "v"}}),
    # removing a key that is absent is a no-op
    ({"a": 1}, {"zzz": None}, {"a": 1}),
    # an empty patch changes nothing
    ({"a": {"b": 1}}, {}, {"a": {"b": 1}}),
    # patching through a non-object replaces it with an object
    ({"a": "scalar"}, {"a": {"b": 1}}, {"a": {"b": 1}}),
    ({"a": "scalar"}, {"a": {"b": None}}, {"a": {}}),
    # a patch value that is an object is merged, nulls inside it dropped, even where the target had nothing
    ({}, {"a": {"b": None, "c": 1}}, {"a": {"c": 1}}),
    # false, 0 and "" are values, not deletions
    ({"a": 1, "b": 2, "c": 3}, {"a": False, "b": 0, "c": ""}, {"a": False, "b": 0, "c": ""}),
])
def test_more_cases(original, patch, result):
    assert merge_patch(original, patch) == result
