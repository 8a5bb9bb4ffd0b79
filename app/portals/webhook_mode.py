"""Single-portal incoming-webhook mode: register the portal that ``B24_WEBHOOK_URL`` names.

An admin who prefers not to install the local app gives us an incoming webhook
(``https://portal.bitrix24.ru/rest/1/abc123/``) for REST calls and an outgoing webhook
for events. The outgoing webhook's own ``application_token`` (REST_FACTS §8.1, §8.4) is
stored as the portal's application token, so ``/b24/events`` verifies its deliveries
like any app event. A webhook can call nothing that names the portal's ``member_id``
(``app.info`` needs the application context), so the id comes from
``B24_WEBHOOK_MEMBER_ID`` — copy it from ``auth[member_id]`` of an outgoing-webhook
delivery — or else is derived from the portal's REST base. Events, placements and
robots cannot be bound by a webhook, so no ``bind_portal`` job is armed.
"""

import hashlib
import re
import secrets as random_secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.core import portal_store
from app.core.context import AppContext
from app.core.logs import get_logger, secrets
from app.core.models import Portal
from app.core.portal_store import PortalRegistration
from app.core.uow import in_transaction
from app.portals.clients import portal_clients
from connectors.bitrix24 import Bitrix24Error, Priority, is_allowed_url

log = get_logger("b24bridge.webhook_mode")
_WEBHOOK_PATH = re.compile(r"^(?P<base>.*/rest/)(?P<user>[0-9]+)/(?P<code>[A-Za-z0-9_]+)/?$")


class WebhookModeError(ValueError):
    """The configured webhook cannot be used; the message says why (never the URL's code)."""


@dataclass(frozen=True)
class WebhookPortal:
    webhook_url: str
    client_endpoint: str
    domain: str
    code: str

    def member_id(self, configured: str = "") -> str:
        if configured:
            return configured
        return hashlib.sha256(f"webhook|{self.client_endpoint}".encode()).hexdigest()[:32]


def parse_webhook_url(url: str, allowed_hosts: list[str]) -> WebhookPortal:
    parts = urlsplit(url.strip())
    match = _WEBHOOK_PATH.match(parts.path)
    if match is None or parts.query or parts.fragment:
        raise WebhookModeError(
            "B24_WEBHOOK_URL must look like https://portal.bitrix24.ru/rest/{user_id}/{code}/"
        )
    origin = f"{parts.scheme}://{parts.netloc}"
    if not is_allowed_url(origin + "/", allowed_hosts):
        raise WebhookModeError(
            f"B24_WEBHOOK_URL host {parts.hostname!r} is not a Bitrix24 domain nor in B24_ALLOWED_DOMAINS"
        )
    return WebhookPortal(
        webhook_url=f"{origin}{match['base']}{match['user']}/{match['code']}/",
        client_endpoint=f"{origin}{match['base']}",
        domain=parts.netloc.lower(),
        code=match["code"],
    )


async def register_webhook_portal(context: AppContext) -> Portal | None:
    """Register (or refresh) the webhook portal; None when webhook mode is not configured."""
    settings = context.settings
    url = settings.b24_webhook_url.get_secret_value()
    if not url:
        return None
    target = parse_webhook_url(url, settings.b24_allowed_domains)
    outgoing_token = settings.b24_outgoing_webhook_token.get_secret_value()
    secrets.add(target.code, target.webhook_url, outgoing_token)
    registration = PortalRegistration(
        member_id=target.member_id(settings.b24_webhook_member_id), domain=target.domain,
        client_endpoint=target.client_endpoint, application_token=outgoing_token,
        auth_mode="webhook", webhook_url=target.webhook_url,
    )  # fmt: skip
    await _prove_webhook(context, registration)
    portal = await in_transaction(
        context,
        lambda session: portal_store.register_portal(
            session, registration, action_secret=random_secrets.token_urlsafe(24)
        ),
    )
    if not outgoing_token:
        log.warning(
            "webhook mode without B24_OUTGOING_WEBHOOK_TOKEN: every event will be refused",
            member_id=portal.member_id,
        )
    log.info("webhook portal registered", member_id=portal.member_id, domain=portal.domain)
    return portal


async def _prove_webhook(context: AppContext, registration: PortalRegistration) -> None:
    """One ``profile`` call: the webhook must answer before the portal is registered."""
    probe = Portal(
        member_id=registration.member_id,
        domain=registration.domain,
        client_endpoint=registration.client_endpoint,
        auth_mode="webhook",
        webhook_url=registration.webhook_url,
    )
    clients = portal_clients(context)
    try:
        await clients.for_portal(probe).call("profile", priority=Priority.INTERACTIVE)
    except Bitrix24Error as exc:
        raise WebhookModeError(
            f"the portal refused the incoming webhook ({exc.code or type(exc).__name__})"
        ) from exc
