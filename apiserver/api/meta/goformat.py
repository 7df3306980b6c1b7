"""Go's rendering of values in error messages, so that messages read exactly as kube-apiserver's do.

Clients show these messages verbatim, and kube builds them with ``%q``, ``%#v`` and ``len()`` on UTF-8 bytes.
"""
from __future__ import annotations

from collections.abc import Iterable

_SIMPLE_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}


def quote(text: str) -> str:
    """``text`` as Go's ``%q`` / ``strconv.Quote`` renders it."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif ch.isprintable():
            # Python's notion of printable matches Go's unicode.IsPrint.
            out.append(ch)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def string_slice(values: Iterable[str]) -> str:
    """A ``[]string`` as Go's ``%#v`` renders it; an empty list is the nil slice kube passes around."""
    items = list(values)
    if not items:
        return "[]string(nil)"
    return "[]string{" + ", ".join(quote(v) for v in items) + "}"


def byte_len(text: str) -> int:
    """Go's ``len`` of a string: its UTF-8 bytes, which is what kube's length limits count."""
    return len(text.encode("utf-8", "surrogatepass"))


def aggregate(messages: Iterable[str]) -> str:
    """Messages joined as utilerrors.Aggregate prints them: repeats dropped, brackets only around several."""
    unique = list(dict.fromkeys(messages))
    if len(unique) == 1:
        return unique[0]
    return "[" + ", ".join(unique) + "]"
