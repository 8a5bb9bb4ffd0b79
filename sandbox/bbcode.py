"""The BB-codes a notification may carry (``im.notify.system.add`` MESSAGE, §13) as safe HTML:
the text is escaped first, then ``[url=…]…[/url]`` / ``[url]…[/url]`` become links (only
``http(s)://`` or a path on this portal — never ``javascript:``), ``[b]``, ``[i]``, ``[u]``
and ``[br]`` their tags. Anything else stays as text."""

import re
from html import escape

from markupsafe import Markup

_URL_WITH_TEXT = re.compile(r"\[url=([^\]]+)\](.*?)\[/url\]", re.IGNORECASE | re.DOTALL)
_BARE_URL = re.compile(r"\[url\](.*?)\[/url\]", re.IGNORECASE | re.DOTALL)
_STYLES = re.compile(r"\[(b|i|u)\](.*?)\[/\1\]", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r"\[br\]|\n", re.IGNORECASE)
_SAFE_TARGET = re.compile(r"^(https?://[^\s\"'<>]+|/[^\s\"'<>]*)$", re.IGNORECASE)


def _link(target: str, text: str) -> str:
    """``target`` and ``text`` are already escaped; an unsafe target leaves the text alone."""
    href = target.strip()
    if not _SAFE_TARGET.match(href.replace("&amp;", "&")):
        return text
    return f'<a href="{href}">{text}</a>'


def render(message: str) -> Markup:
    html = escape(message, quote=True)
    html = _URL_WITH_TEXT.sub(lambda m: _link(m.group(1), m.group(2)), html)
    html = _BARE_URL.sub(lambda m: _link(m.group(1), m.group(1)), html)
    for _ in range(3):  # nested [b][i]…[/i][/b]
        html = _STYLES.sub(
            lambda m: f"<{m.group(1).lower()}>{m.group(2)}</{m.group(1).lower()}>", html
        )
    return Markup(_BREAK.sub("<br>", html))  # noqa: S704 - built from escaped text above
