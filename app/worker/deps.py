"""The configured SMS sender (one per process)."""

from app.core.context import AppContext
from connectors.sms import HttpSmsSender, LogSmsSender, SmsSender


def build_sms_sender(context: AppContext) -> SmsSender:
    settings = context.settings
    if settings.sms_provider == "http":
        return HttpSmsSender(settings.sms_http_url, settings.sms_http_key.get_secret_value())
    return LogSmsSender()


def sms_sender(context: AppContext) -> SmsSender:
    return context.service("sms", lambda: build_sms_sender(context))
