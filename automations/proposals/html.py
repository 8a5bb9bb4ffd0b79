"""The proposal's HTML: a sandboxed, autoescaped Jinja2 render of the ``new`` or ``regular``
template, where a portal's replacement template (settings) takes the standard one's place.

Replacement templates are outside input: the sandbox keeps them from reaching Python
internals, unknown names fail loudly (``StrictUndefined``) and any failure is a ``Problem``.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from jinja2 import DictLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from automations.proposals import formats
from automations.proposals.content import ProposalContent
from automations.proposals.rules import Problem

RENDER_ERRORS = (TemplateError, TypeError, ValueError, ArithmeticError, LookupError)
WORDING_BLOCKS = ("greeting", "closing")


@dataclass(frozen=True)
class Wording:
    """The template's own words as plain text — its ``greeting`` and ``closing`` blocks — so the
    PDF says what the HTML says (a regular client is thanked for coming back)."""

    greeting: str = ""
    closing: str = ""


@cache
def standard_templates() -> dict[str, str]:
    folder = resources.files("automations.proposals") / "templates"
    return {name: (folder / name).read_text("utf-8") for name in _NAMES}


_NAMES = ("base.html.j2", "new.html.j2", "regular.html.j2")


def _environment(overrides: dict[str, str]) -> SandboxedEnvironment:
    sources = standard_templates() | {f"{name}.html.j2": text for name, text in overrides.items()}
    environment = SandboxedEnvironment(
        loader=DictLoader(sources), autoescape=True, undefined=StrictUndefined
    )
    environment.filters.update(
        money=formats.money, qty=formats.quantity, rate=formats.rate, day=formats.day
    )
    return environment


def template_syntax_error(source: str) -> tuple[int, str] | None:
    """Where and why a replacement template does not compile (line, reason), else None."""
    try:
        _environment({}).parse(source)
    except TemplateSyntaxError as exc:
        return exc.lineno, str(exc.message or "")[:200]
    return None


def render_html(
    content: ProposalContent,
    *,
    version: int,
    valid_until: date,
    pdf_url: str,
    overrides: dict[str, str],
) -> str | Problem:
    try:
        template = _environment(overrides).get_template(f"{content.template}.html.j2")
        return template.render(c=content, version=version, valid_until=valid_until, pdf_url=pdf_url)
    except RENDER_ERRORS as exc:
        return Problem("template_failed", {"template": content.template, "error": str(exc)[:200]})


def render_wording(
    content: ProposalContent,
    *,
    version: int,
    valid_until: date,
    pdf_url: str,
    overrides: dict[str, str],
) -> Wording:
    """The template's ``greeting`` and ``closing`` blocks as text (empty where it has none);
    called after ``render_html`` succeeded with the same arguments."""
    values = {"c": content, "version": version, "valid_until": valid_until, "pdf_url": pdf_url}
    try:
        template = _environment(overrides).get_template(f"{content.template}.html.j2")
        context = template.new_context(values)
        # The blocks' output is the sandbox's autoescaped HTML; it is only turned into text.
        texts = {
            name: Markup("".join(template.blocks[name](context))).striptags()  # noqa: S704
            for name in WORDING_BLOCKS
            if name in template.blocks
        }
    except RENDER_ERRORS:
        return Wording()
    return Wording(**texts)
