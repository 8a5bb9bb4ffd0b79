"""Settings-page checks of the bonus and money settings (PRODUCT §3.9): each key is checked
by ``automations.bonuses.settings``; a bad value is a 400 with the reason in Russian."""

from collections.abc import Callable
from typing import Any

from app.core.errors import BadRequest
from app.web.settings_page.portal_options import PortalOptions
from automations.bonuses.settings import (
    CONFIGURABLE_KEYS,
    BonusSettingsError,
    checked_bonus_settings,
)


def _check(key: str) -> Callable[[Any, PortalOptions, str], Any]:
    def check(value: Any, _options: PortalOptions, _lang: str) -> Any:
        try:
            return checked_bonus_settings({key: value})[key]
        except BonusSettingsError as exc:
            raise BadRequest(str(exc)) from exc

    return check


BONUS_CHECKS = {key: _check(key) for key in CONFIGURABLE_KEYS}
