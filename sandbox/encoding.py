"""PHP bracket-key encoding, both ways.

Bitrix24 reads form bodies and batch ``cmd`` strings with PHP's ``parse_str``
(``fields[PHONE][0][VALUE]=1``) and sends events with ``http_build_query``
(REST_FACTS §1, §5, §8.3). Arrays whose keys are 0..n become lists, as PHP
arrays with sequential keys serialize to JSON lists.
"""

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode


def split_key(key: str) -> list[str]:
    """``a[b][]`` -> ``["a", "b", ""]``; a key without brackets is one segment."""
    head, sep, rest = key.partition("[")
    if not sep or not head:
        return [key]
    parts = [head]
    while rest:
        inner, closed, rest = rest.partition("]")
        if not closed:
            return [key]
        parts.append(inner)
        if rest and not rest.startswith("["):
            break
        rest = rest[1:]
    return parts


def _assign(node: dict[str, Any], path: list[str], value: Any) -> None:
    for index, segment in enumerate(path):
        name = str(len(node)) if segment == "" else segment
        if index == len(path) - 1:
            node[name] = value
            return
        child = node.get(name)
        if not isinstance(child, dict):
            child = {}
            node[name] = child
        node = child


def listify(value: Any) -> Any:
    """Turn dicts keyed "0".."n-1" into lists, recursively."""
    if isinstance(value, dict):
        converted = {key: listify(item) for key, item in value.items()}
        if converted and list(converted) == [str(i) for i in range(len(converted))]:
            return list(converted.values())
        return converted
    if isinstance(value, list):
        return [listify(item) for item in value]
    return value


def parse_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Nest ``(key, value)`` pairs the way PHP ``parse_str`` does."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        _assign(root, split_key(key), value)
    result = listify(root)
    return result if isinstance(result, dict) else {}


def parse_query(query: str) -> dict[str, Any]:
    return parse_pairs(parse_qsl(query, keep_blank_values=True))


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def flatten(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """``http_build_query`` pairs: None and empty arrays are omitted, bools are 1/0."""
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping):
            pairs.extend(flatten(value, name))
        elif isinstance(value, list | tuple):
            pairs.extend(flatten({str(i): item for i, item in enumerate(value)}, name))
        elif value is not None:
            pairs.append((name, _scalar(value)))
    return pairs


def build_query(data: Mapping[str, Any]) -> str:
    return urlencode(flatten(data))
