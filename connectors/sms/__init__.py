"""SMS to clients. Bitrix24 REST cannot send an SMS itself (REST_FACTS §15), so the app
has its own gateway: an interface, a log-only default and one HTTP provider. Every send
carries an idempotency key the provider can deduplicate on."""

from connectors.sms.base import SmsError, SmsResult, SmsSender
from connectors.sms.http_provider import HttpSmsSender
from connectors.sms.log_provider import LogSmsSender

__all__ = ["HttpSmsSender", "LogSmsSender", "SmsError", "SmsResult", "SmsSender"]
