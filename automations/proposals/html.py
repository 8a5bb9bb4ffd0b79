"""The proposal's HTML: a sandboxed, autoescaped Jinja2 render of the ``new`` or ``regular``
template, where a portal's replacement template (settings) takes the standard one's place.

Replacement templates are outside input: the sandbox keeps them from reaching Python
internals, unknown names fail loudly (``StrictUndefined``) and any failure is a ``Problem``.
"""

from datetime import date
from functools import cache
from importlib import resources

from jinja2 import DictLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from automations.proposals import formats
from automations.proposals.content import ProposalContent
from automations.proposals.rules import Problem

RENDER_ERRORS = (TemplateError, TypeError, ValueError, ArithmeticError, LookupError)


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
