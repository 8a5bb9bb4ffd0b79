"""Decode Bitrix24's form bodies: PHP ``http_build_query`` output with bracket keys.

``auth[member_id]=x&data[FIELDS][ID]=5`` becomes ``{"auth": {"member_id": "x"},
"data": {"FIELDS": {"ID": "5"}}}`` (REST_FACTS §8.3). Limits keep hostile bodies cheap:
a size cap, a key count cap and a nesting cap, each reported as a readable error.
"""

import re
from typing import Any
from urllib.parse import parse_qsl

MAX_BODY_BYTES = 1024 * 1024
MAX_KEYS = 1000
MAX_DEPTH = 32
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


class FormError(ValueError):
    """The body is not a well-formed Bitrix24 form; the message says why."""


class FormTooLarge(FormError):
    pass


def parse_form(body: bytes) -> dict[str, Any]:
    if len(body) > MAX_BODY_BYTES:
        raise FormTooLarge(f"body is larger than {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise FormError(f"body is not valid form encoding: {exc}") from exc
    if len(pairs) > MAX_KEYS:
        raise FormError(f"more than {MAX_KEYS} fields")
    tree: dict[str, Any] = {}
    for key, value in pairs:
        _insert(tree, _split_key(key), value)
    return tree


def _split_key(key: str) -> list[str]:
    match = _KEY.match(key)
    if not match:
        raise FormError(f"malformed field name {key[:80]!r}")
    path = [match.group(1), *_SEGMENT.findall(match.group(2))]
    if len(path) > MAX_DEPTH:
        raise FormError(f"field {key[:80]!r} is nested deeper than {MAX_DEPTH}")
    return path


def _insert(tree: dict[str, Any], path: list[str], value: str) -> None:
    node = tree
    for depth, segment in enumerate(path[:-1]):
        child = node.setdefault(segment or str(len(node)), {})
        if not isinstance(child, dict):
            raise FormError(f"field {'.'.join(path[: depth + 1])!r} is both a value and a group")
        node = child
    last = path[-1] or str(len(node))
    if isinstance(node.get(last), dict):
        raise FormError(f"field {'.'.join(path)!r} is both a value and a group")
    node[last] = value


def text_at(tree: dict[str, Any], *path: str) -> str | None:
    """The string at ``path``, or None when it is missing or not a plain value."""
    node: Any = tree
    for segment in path:
        if not isinstance(node, dict) or segment not in node:
            return None
        node = node[segment]
    return node if isinstance(node, str) else None
