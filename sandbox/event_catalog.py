"""The events a portal offers (``events``, ``event.bind``): the names the sandbox can fire or
accept a binding for, and one ``ONCRMDYNAMICITEM*_{entityTypeId}`` triple per smart process
(events.md shows ``ONCRMDYNAMICITEMADD_147``). Each belongs to its module's scope."""

import re
from collections.abc import Collection

from sandbox.scopes import event_scope, grants

_CRM_OBJECTS = ("LEAD", "DEAL", "CONTACT", "COMPANY")
_ACTIONS = ("ADD", "UPDATE", "DELETE")
STATIC_EVENTS: tuple[str, ...] = (
    "ONAPPUNINSTALL",
    "ONAPPINSTALL",
    "ONAPPUPDATE",
    "ONAPPTEST",
    "ONOFFLINEEVENT",
    *(f"ONCRM{obj}{action}" for obj in _CRM_OBJECTS for action in _ACTIONS),
    "ONCRMDEALMOVETOCATEGORY",
    *(f"ONCRMPRODUCT{action}" for action in _ACTIONS),
    *(f"ONCRMACTIVITY{action}" for action in _ACTIONS),
    *(f"ONCRMTIMELINECOMMENT{action}" for action in _ACTIONS),
    *(f"ONCRMDYNAMICITEM{action}" for action in _ACTIONS),
    *(f"ONTASK{action}" for action in _ACTIONS),
)
_PER_TYPE = re.compile(r"^ONCRMDYNAMICITEM(ADD|UPDATE|DELETE)_\d+$")


def is_known(event: str) -> bool:
    return event in STATIC_EVENTS or bool(_PER_TYPE.match(event))


def catalog(spa_types: list[int]) -> list[str]:
    per_type = [f"ONCRMDYNAMICITEM{a}_{t}" for t in sorted(spa_types) for a in _ACTIONS]
    return [*STATIC_EVENTS, *per_type]


def of_scope(spa_types: list[int], scope: str) -> list[str]:
    return [e for e in catalog(spa_types) if event_scope(e) == scope]


def available(spa_types: list[int], scopes: Collection[str] | None) -> list[str]:
    """What ``events`` lists for a token: the events of the scopes it has."""
    return [e for e in catalog(spa_types) if grants(scopes, event_scope(e))]
