"""The composition root of job handlers: the one place that builds the concrete adapters
behind ``automations.ports.Deps`` (per-portal REST clients, the configured SMS sender),
once per process, and hands them to whoever runs a job or an action."""

from app.core.context import AppContext
from app.portals.clients import portal_clients
from automations.ports import Deps
from connectors.sms import HttpSmsSender, LogSmsSender, SmsSender


def build_sms_sender(context: AppContext) -> SmsSender:
    settings = context.settings
    if settings.sms_provider == "http":
        return HttpSmsSender(settings.sms_http_url, settings.sms_http_key.get_secret_value())
    return LogSmsSender()


def job_deps(context: AppContext) -> Deps:
    """The process's ``Deps``: built on first use, the same object for every job."""
    return context.service("deps", lambda: _build(context))


def _build(context: AppContext) -> Deps:
    return Deps(
        settings=context.settings,
        sessions=context.sessions,
        rest=portal_clients(context),
        sms=build_sms_sender(context),
    )
