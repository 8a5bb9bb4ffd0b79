"""Short links ``{APP_BASE_URL}/s/{code}``: made for checked targets, followed with a click."""

from sqlalchemy.ext.asyncio import AsyncSession

from automations.proposals import repository
from automations.proposals.link_rules import checked_target, looks_like_code


def short_url(app_base_url: str, code: str) -> str:
    return f"{app_base_url.rstrip('/')}/s/{code}"


async def make_short_links(
    session: AsyncSession, app_base_url: str, member_id: str, urls: list[str]
) -> dict[str, str]:
    """The short URL of every target in ``urls`` (keyed by the URL as given); raises
    ``TargetRefused`` for the first one that may not be a target, making none then."""
    checked = {url: checked_target(url, app_base_url) for url in urls}
    codes = await repository.shorten_many(session, member_id, list(checked.values()))
    return {url: short_url(app_base_url, codes[target]) for url, target in checked.items()}


async def follow_short_link(session: AsyncSession, app_base_url: str, code: str) -> str | None:
    """The target to redirect to (one click counted), or None for an unknown code."""
    if not looks_like_code(code):
        return None
    target = await repository.follow(session, code)
    if target is None:
        return None
    return checked_target(target, app_base_url)
