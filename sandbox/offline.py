"""Offline event queue of one portal (§8.6): latest state per object, reserve with
``process_id``, clear by process/id/message id, mark failures with ``error``. The queue is
split by source (``auth_connector``): a record belongs to the connector of the binding that
queued it ("" = no source), and only a reader passing that connector sees it."""

import secrets
from datetime import datetime
from typing import Any

from sandbox.envelope import iso
from sandbox.state import Portal


def record(
    portal: Portal, *, name: str, data: dict[str, Any], key: str, now: datetime, connector: str
) -> None:
    """Keep one unreserved record per object and source: a newer change replaces the older."""
    for item in portal.offline:
        if item["key"] == key and item["PROCESS_ID"] is None and item["connector"] == connector:
            item["TIMESTAMP_X"] = now
            item["EVENT_DATA"] = data
            item["ERROR"] = 0  # the latest state is news again, even after a failure
            return
    portal.offline.append(
        {
            "ID": portal.next_offline_id,
            "TIMESTAMP_X": now,
            "EVENT_NAME": name,
            "EVENT_DATA": data,
            "EVENT_ADDITIONAL": [],
            "MESSAGE_ID": secrets.token_hex(16),
            "PROCESS_ID": None,
            "ERROR": 0,
            "key": key,
            "connector": connector,
        }
    )
    portal.next_offline_id += 1


def out(item: dict[str, Any], offset: int, *, with_process: bool = False) -> dict[str, Any]:
    shown = {
        "ID": str(item["ID"]),
        "TIMESTAMP_X": iso(item["TIMESTAMP_X"], offset),
        "EVENT_NAME": item["EVENT_NAME"],
        "EVENT_DATA": item["EVENT_DATA"],
        "EVENT_ADDITIONAL": item["EVENT_ADDITIONAL"],
        "MESSAGE_ID": item["MESSAGE_ID"],
    }
    if with_process:
        shown |= {"PROCESS_ID": item["PROCESS_ID"], "ERROR": str(item["ERROR"])}
    return shown


def of_source(portal: Portal, connector: str) -> list[dict[str, Any]]:
    return [i for i in portal.offline if i["connector"] == connector]


def take(
    portal: Portal,
    *,
    limit: int,
    clear: bool,
    process_id: str | None,
    connector: str = "",
    errors: bool = False,
) -> tuple[str | None, list[dict[str, Any]]]:
    """``event.offline.get``: re-read a reserved batch, or take the oldest free records of
    this source (failed ones only when ``errors``)."""
    mine = of_source(portal, connector)
    if process_id:
        return process_id, [i for i in mine if i["PROCESS_ID"] == process_id]
    free = sorted(
        (i for i in mine if i["PROCESS_ID"] is None and (errors or not i["ERROR"])),
        key=lambda i: (i["TIMESTAMP_X"], i["ID"]),
    )
    chosen = free[:limit]
    if clear:
        taken = {id(i) for i in chosen}
        portal.offline[:] = [i for i in portal.offline if id(i) not in taken]
        return None, chosen
    new_process = secrets.token_hex(16)
    for item in chosen:
        item["PROCESS_ID"] = new_process
    return new_process, chosen


def clear(portal: Portal, *, process_id: str, ids: list[str], message_ids: list[str]) -> int:
    def selected(item: dict[str, Any]) -> bool:
        if item["PROCESS_ID"] != process_id:
            return False
        if ids or message_ids:
            return str(item["ID"]) in ids or item["MESSAGE_ID"] in message_ids
        return True

    before = len(portal.offline)
    portal.offline[:] = [i for i in portal.offline if not selected(i)]
    return before - len(portal.offline)


def mark_failed(portal: Portal, *, process_id: str, message_ids: list[str]) -> int:
    """``event.offline.error``: the records stay, flagged, out of the process (a later
    ``get`` with ``error=1`` takes them again); ``clear`` of the process leaves them."""
    marked = 0
    for item in portal.offline:
        if item["PROCESS_ID"] == process_id and item["MESSAGE_ID"] in message_ids:
            item["ERROR"], item["PROCESS_ID"] = 1, None
            marked += 1
    return marked
