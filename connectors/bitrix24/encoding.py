"""PHP bracket query encoding, as Bitrix24 parses it (``parse_str``).

Used for the ``cmd`` strings of ``batch``: each command is ``method?query``
where the query is what PHP's ``parse_str`` turns back into the parameter
array (batch.md, data-encoding.md). Rules:

* nested dicts and lists become ``key[sub][0]=v``;
* keys and values are percent-encoded (RFC 3986), so ``=``/``>``/``!`` in
  filter keys (``filter[>=ID]``) and ``&`` in values survive the parse;
  brackets of the key path stay literal;
* ``True``/``False`` become ``1``/``0`` like PHP's ``http_build_query``;
* ``None`` and empty lists/dicts become an empty value (``key=``) instead of
  vanishing, so "clear this field" keeps its meaning;
* ``$result[...]`` references stay unencoded so the batch substitutes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

_REFERENCE = re.compile(r"^\$result\[[^&]*\]$")


def php_query(params: Mapping[str, Any]) -> str:
    """Encode ``params`` as a PHP bracket query string."""
    return "&".join(f"{key}={value}" for key, value in _pairs(params))


def batch_command(method: str, params: Mapping[str, Any]) -> str:
    """One ``cmd`` entry: ``method?query`` (plain ``method`` without params)."""
    query = php_query(params)
    return f"{method}?{query}" if query else method


def _pairs(params: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for name, value in params.items():
        yield from _flatten(_quote(str(name)), value)


def _flatten(path: str, value: Any) -> Iterator[tuple[str, str]]:
    children = _children(value)
    if children is None:
        yield path, _scalar(value)
        return
    if not children:
        yield path, ""
        return
    for name, child in children:
        yield from _flatten(f"{path}[{_quote(name)}]", child)


def _children(value: Any) -> list[tuple[str, Any]] | None:
    if isinstance(value, Mapping):
        return [(str(key), child) for key, child in value.items()]
    if isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray):
        return [(str(index), child) for index, child in enumerate(value)]
    return None


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    text = value.decode() if isinstance(value, bytes | bytearray) else str(value)
    if _REFERENCE.match(text):
        return text
    return _quote(text)


def _quote(text: str) -> str:
    return quote(text, safe="")
