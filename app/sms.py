"""The configured SMS sender (one per process)."""

from app.context import AppContext
from connectors.sms import HttpSmsSender, LogSmsSender, SmsSender


def sms_sender(context: AppContext) -> SmsSender:
    sender = context.services.get("sms")
    if sender is None:
        settings = context.settings
        if settings.sms_provider == "http":
            sender = HttpSmsSender(settings.sms_http_url, settings.sms_http_key.get_secret_value())
        else:
            sender = LogSmsSender()
        context.services["sms"] = sender
    return sender
