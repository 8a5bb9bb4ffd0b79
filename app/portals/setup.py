"""Bind the app's events, tabs and robots in a portal (install, update, re-bind job)."""

from app.core import portal_store
from app.core.logs import get_logger
from app.core.models import Job, Portal
from app.core.portal_settings import load_portal_settings
from app.portals.bindings import (
    ALREADY_BOUND_CODES,
    BOUND_READS,
    Bound,
    binding_calls,
    missing_calls,
)
from automations.ports import Deps
from connectors.bitrix24 import Bitrix24Client, Priority

log = get_logger("b24bridge.setup")


class BindingFailed(Exception):
    pass


async def bind_portal(deps: Deps, portal: Portal) -> int:
    """Read what is bound (one batch), bind only what is missing (one more batch, none when
    nothing is); returns how many bindings are in place."""
    async with deps.sessions() as session:
        values = await load_portal_settings(session, portal.member_id)
    calls = binding_calls(
        deps.settings.app_base_url,
        card_entity_type_id=values.get("card_entity_type_id"),
        offline_events=deps.settings.b24_offline_events,
    )
    client = deps.rest.for_portal(portal)
    needed = missing_calls(calls, await _read_bound(client))
    outcomes = await client.batch(dict(needed), priority=Priority.INTERACTIVE) if needed else {}
    failed = {
        key: o.error
        for key, o in outcomes.items()
        if o.error is not None and not _already_bound(o.error)
    }
    if failed:
        summary = ", ".join(f"{key}: {error.code or error}" for key, error in failed.items())
        raise BindingFailed(f"bindings refused by the portal: {summary}")
    log.info("portal bound", member_id=portal.member_id, bindings=len(calls), bound=len(needed))
    return len(calls)


async def _read_bound(client: Bitrix24Client) -> Bound:
    """A list method that fails counts as "nothing bound": then everything of its kind is
    bound and "already bound" answers are tolerated, as before."""
    outcomes = await client.batch(BOUND_READS, priority=Priority.INTERACTIVE)
    answers = {key: o.value if o.error is None else None for key, o in outcomes.items()}
    return Bound.parse(answers["events"], answers["placements"], answers["robots"])


def _already_bound(error: Exception) -> bool:
    """Re-binding answers "already exists/binded" (codes vary by method): harmless."""
    code = str(getattr(error, "code", "")).upper()
    return code in ALREADY_BOUND_CODES or "already" in str(error).lower()


async def run_bind_job(deps: Deps, job: Job) -> str:
    async with deps.sessions() as session:
        portal = await portal_store.find_active_portal(session, job.member_id)
    if portal is None:
        return "portal gone"
    return f"{await bind_portal(deps, portal)} bindings"
