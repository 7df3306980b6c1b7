"""Object metadata validation: kube's name rules, label/annotation syntax and the annotation size limit."""
from __future__ import annotations

import pytest

from apiserver.api.meta.errors import Cause
from apiserver.api.validation.metadata import (
    ANNOTATIONS_MAX_BYTES,
    name_errors,
    validate_metadata,
)

# kube's messages, verbatim (k8s.io/apimachinery/pkg/util/validation)
SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
             "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
         "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
         "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1035 = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
           "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
           "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
QUALIFIED_NAME_PART = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                       "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                       "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
LABEL_VALUE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
               "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
               "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
MAX_253 = "must be no more than 253 characters"
MAX_63 = "must be no more than 63 characters"

NAME_CASES = [
    # subdomain (most resources)
    ("subdomain", "my-name", []),
    ("subdomain", "a", []),
    ("subdomain", "0", []),
    ("subdomain", "example.com", []),
    ("subdomain", "a-b.c-d.e", []),
    ("subdomain", "a" * 253, []),
    ("subdomain", "a" * 254, [MAX_253]),
    ("subdomain", "A" * 254, [MAX_253, SUBDOMAIN]),
    ("subdomain", "My-Name", [SUBDOMAIN]),
    ("subdomain", "-a", [SUBDOMAIN]),
    ("subdomain", "a-", [SUBDOMAIN]),
    ("subdomain", "a_b", [SUBDOMAIN]),
    ("subdomain", "a..b", [SUBDOMAIN]),
    ("subdomain", ".a", [SUBDOMAIN]),
    ("subdomain", "a.", [SUBDOMAIN]),
    ("subdomain", "a b", [SUBDOMAIN]),
    ("subdomain", "", [SUBDOMAIN]),
    # label (namespaces, services...)
    ("label", "my-name", []),
    ("label", "123-abc", []),
    ("label", "a" * 63, []),
    ("label", "a" * 64, [MAX_63]),
    ("label", "a.b", [LABEL]),
    ("label", "Abc", [LABEL]),
    ("label", "-" * 64, [MAX_63, LABEL]),
    ("label", "a-", [LABEL]),
    # DNS-1035 label
    ("dns1035", "my-name", []),
    ("dns1035", "abc-123", []),
    ("dns1035", "a" * 63, []),
    ("dns1035", "a" * 64, [MAX_63]),
    ("dns1035", "1abc", [DNS1035]),
    ("dns1035", "a.b", [DNS1035]),
    ("dns1035", "1" * 64, [MAX_63, DNS1035]),
    # path segment (anything goes except . .. / %)
    ("path", "Any Thing_Goes:Here", []),
    ("path", "...", []),
    ("path", "a.b", []),
    ("path", ".", ["may not be '.'"]),
    ("path", "..", ["may not be '..'"]),
    ("path", "a/b", ["may not contain '/'"]),
    ("path", "a%b", ["may not contain '%'"]),
    ("path", "%/", ["may not contain '/'", "may not contain '%'"]),
]


@pytest.mark.parametrize("rule, name, expected", NAME_CASES,
                         ids=[f"{c[0]}-{c[1][:20]}-{len(c[1])}" for c in NAME_CASES])
def test_name_errors(rule, name, expected):
    assert name_errors(name, rule) == expected


def invalid(field: str, value: str, message: str) -> Cause:
    return Cause("FieldValueInvalid", f'Invalid value: "{value}": {message}', field)


NAME_REQUIRED = Cause("FieldValueRequired", "Required value: name or generateName is required", "metadata.name")
NAMESPACE_REQUIRED = Cause("FieldValueRequired", "Required value", "metadata.namespace")

METADATA_CASES = [
    ("valid-namespaced", {"metadata": {"name": "a", "namespace": "ns"}}, "subdomain", True, []),
    ("valid-cluster", {"metadata": {"name": "a"}}, "subdomain", False, []),
    ("cluster-ignores-namespace", {"metadata": {"name": "a", "namespace": ""}}, "subdomain", False, []),
    ("no-metadata", {"kind": "ConfigMap"}, "subdomain", True, [Cause("FieldValueRequired", "Required value",
                                                                      "metadata")]),
    ("metadata-not-object", {"metadata": "x"}, "subdomain", False, [Cause("FieldValueRequired", "Required value",
                                                                          "metadata")]),
    ("missing-name", {"metadata": {"namespace": "ns"}}, "subdomain", True, [NAME_REQUIRED]),
    ("empty-name", {"metadata": {"name": "", "namespace": "ns"}}, "subdomain", True, [NAME_REQUIRED]),
    ("generate-name-only", {"metadata": {"generateName": "x-"}}, "subdomain", False, [NAME_REQUIRED]),
    ("missing-name-and-namespace", {"metadata": {}}, "subdomain", True, [NAME_REQUIRED, NAMESPACE_REQUIRED]),
    ("missing-namespace", {"metadata": {"name": "a"}}, "subdomain", True, [NAMESPACE_REQUIRED]),
    ("empty-namespace", {"metadata": {"name": "a", "namespace": ""}}, "subdomain", True, [NAMESPACE_REQUIRED]),
    ("bad-subdomain-name", {"metadata": {"name": "Bad_Name"}}, "subdomain", False,
     [invalid("metadata.name", "Bad_Name", SUBDOMAIN)]),
    ("bad-label-name", {"metadata": {"name": "a.b"}}, "label", False, [invalid("metadata.name", "a.b", LABEL)]),
    ("bad-dns1035-name", {"metadata": {"name": "1a", "namespace": "ns"}}, "dns1035", True,
     [invalid("metadata.name", "1a", DNS1035)]),
    ("bad-path-name", {"metadata": {"name": "a/b"}}, "path", False,
     [invalid("metadata.name", "a/b", "may not contain '/'")]),
    ("long-name", {"metadata": {"name": "a" * 254}}, "subdomain", False,
     [invalid("metadata.name", "a" * 254, MAX_253)]),
    ("two-name-errors", {"metadata": {"name": "A" * 64}}, "label", False,
     [invalid("metadata.name", "A" * 64, MAX_63), invalid("metadata.name", "A" * 64, LABEL)]),
    ("name-with-quote", {"metadata": {"name": 'a"b'}}, "subdomain", False,
     [invalid("metadata.name", 'a\\"b', SUBDOMAIN)]),
    ("name-not-string", {"metadata": {"name": 5}}, "subdomain", False,
     [Cause("FieldValueInvalid", 'Invalid value: "5": must be a string', "metadata.name")]),
    ("bad-name-and-no-namespace", {"metadata": {"name": "X"}}, "subdomain", True,
     [invalid("metadata.name", "X", SUBDOMAIN), NAMESPACE_REQUIRED]),
    # labels
    ("good-labels", {"metadata": {"name": "a", "labels": {"app": "web", "example.com/tier": "", "a.b_c-d": "X.y_z"}}},
     "subdomain", False, []),
    ("label-key-space", {"metadata": {"name": "a", "labels": {"a b": "x"}}}, "subdomain", False,
     [invalid("metadata.labels", "a b", QUALIFIED_NAME_PART)]),
    ("label-key-bad-prefix", {"metadata": {"name": "a", "labels": {"Example.com/app": "x"}}}, "subdomain", False,
     [invalid("metadata.labels", "Example.com/app", "prefix part " + SUBDOMAIN)]),
    ("label-key-empty-name", {"metadata": {"name": "a", "labels": {"example.com/": "x"}}}, "subdomain", False,
     [invalid("metadata.labels", "example.com/", "name part must be non-empty"),
      invalid("metadata.labels", "example.com/", QUALIFIED_NAME_PART)]),
    ("label-key-too-long", {"metadata": {"name": "a", "labels": {"k" * 64: "x"}}}, "subdomain", False,
     [invalid("metadata.labels", "k" * 64, "name part " + MAX_63)]),
    ("label-value-space", {"metadata": {"name": "a", "labels": {"app": "x y"}}}, "subdomain", False,
     [invalid("metadata.labels", "x y", LABEL_VALUE)]),
    ("label-value-too-long", {"metadata": {"name": "a", "labels": {"app": "v" * 64}}}, "subdomain", False,
     [invalid("metadata.labels", "v" * 64, MAX_63)]),
    ("label-value-63", {"metadata": {"name": "a", "labels": {"app": "v" * 63}}}, "subdomain", False, []),
    ("label-value-not-string", {"metadata": {"name": "a", "labels": {"app": 1}}}, "subdomain", False,
     [Cause("FieldValueInvalid", 'Invalid value: "1": must be a string', "metadata.labels")]),
    ("labels-not-map", {"metadata": {"name": "a", "labels": ["x"]}}, "subdomain", False,
     [Cause("FieldValueInvalid", "Invalid value: must be a map of strings", "metadata.labels")]),
    ("labels-null", {"metadata": {"name": "a", "labels": None}}, "subdomain", False, []),
    # annotations: keys are qualified names, case-insensitively; values are free text
    ("good-annotations", {"metadata": {"name": "a", "annotations": {
        "Example.COM/Some-Key": "any text\nat all: {}", "kubectl.kubernetes.io/last-applied-configuration": "{}"}}},
     "subdomain", False, []),
    ("annotation-key-space", {"metadata": {"name": "a", "annotations": {"a b": "x"}}}, "subdomain", False,
     [invalid("metadata.annotations", "a b", QUALIFIED_NAME_PART)]),
    ("annotation-key-two-slashes", {"metadata": {"name": "a", "annotations": {"a/b/c": "x"}}}, "subdomain", False,
     [invalid("metadata.annotations", "a/b/c",
              "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
              "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
              "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix "
              "and '/' (e.g. 'example.com/MyName')")]),
    ("annotation-value-not-string", {"metadata": {"name": "a", "annotations": {"k": 3}}}, "subdomain", False,
     [Cause("FieldValueInvalid", 'Invalid value: "3": must be a string', "metadata.annotations")]),
    ("annotations-not-map", {"metadata": {"name": "a", "annotations": "x"}}, "subdomain", False,
     [Cause("FieldValueInvalid", "Invalid value: must be a map of strings", "metadata.annotations")]),
    ("everything-wrong", {"metadata": {"name": "_", "labels": {"-": "-"}, "annotations": {"?": "ok"}}},
     "subdomain", True,
     [invalid("metadata.name", "_", SUBDOMAIN), NAMESPACE_REQUIRED,
      invalid("metadata.labels", "-", QUALIFIED_NAME_PART), invalid("metadata.labels", "-", LABEL_VALUE),
      invalid("metadata.annotations", "?", QUALIFIED_NAME_PART)]),
]


@pytest.mark.parametrize("obj, rule, namespaced, expected", [c[1:] for c in METADATA_CASES],
                         ids=[c[0] for c in METADATA_CASES])
def test_validate_metadata(obj, rule, namespaced, expected):
    assert validate_metadata(obj, rule, namespaced) == expected


TOO_LONG = Cause("FieldValueTooLong", "Too long: may not be more than 262144 bytes", "metadata.annotations")


def test_annotation_limit_is_kubes():
    assert ANNOTATIONS_MAX_BYTES == 262144


@pytest.mark.parametrize("annotations, expected", [
    ({"k": "v" * (262144 - 1)}, []),                                   # exactly at the limit: keys count too
    ({"k": "v" * 262144}, [TOO_LONG]),                                 # one byte over
    ({"a": "v" * 131071, "b": "v" * 131071}, []),                      # the sum of all keys and values counts
    ({"a": "v" * 131072, "b": "v" * 131071}, [TOO_LONG]),
    ({"k" * 63: "v" * (262144 - 63)}, []),
    ({"k" * 63: "v" * (262144 - 62)}, [TOO_LONG]),
])
def test_annotation_size_limit(annotations, expected):
    assert validate_metadata({"metadata": {"name": "a", "annotations": annotations}}, "subdomain", False) == expected


# kube's limits count UTF-8 bytes (Go's len), not characters
def test_annotation_size_counts_utf8_bytes():
    annotations = {"k": "é" * 131072}   # 1 + 262144 bytes, 131073 characters
    assert validate_metadata({"metadata": {"name": "a", "annotations": annotations}}, "subdomain", False) == \
        [TOO_LONG]


@pytest.mark.parametrize("rule, name, expected", [
    ("subdomain", "é" * 127, [MAX_253, SUBDOMAIN]),
    ("label", "é" * 32, [MAX_63, LABEL]),
    ("dns1035", "é" * 32, [MAX_63, DNS1035]),
])
def test_name_length_counts_utf8_bytes(rule, name, expected):
    assert name_errors(name, rule) == expected


# kube renders a bad value with Go's %q
def test_invalid_value_is_go_quoted():
    causes = validate_metadata({"metadata": {"name": "a\\b\n"}}, "subdomain", False)
    assert causes == [Cause("FieldValueInvalid", f'Invalid value: "a\\\\b\\n": {SUBDOMAIN}', "metadata.name")]
