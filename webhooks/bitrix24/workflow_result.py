"""The result robot's extra checks (``b24bridge_workflow_result``): the workflow id it is
called from and its ``values`` as a JSON object; anything else is refused with 4xx."""

import json
import re
from typing import Any

from webhooks.bitrix24.form import FormError, text_at

_WORKFLOW_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
STATUSES = ("finished", "failed")
MAX_VALUES = 20_000


def workflow_result_params(form: dict[str, Any], params: dict[str, str]) -> dict[str, str]:
    workflow_id = text_at(form, "workflow_id") or ""
    if not _WORKFLOW_ID.match(workflow_id):
        raise FormError("field 'workflow_id' is missing or malformed")
    status = params.get("status") or "finished"
    if status not in STATUSES:
        raise FormError(f"field 'properties[status]' must be one of {', '.join(STATUSES)}")
    return {**params, "workflow_id": workflow_id, "status": status,
            "values": _values(params.get("values", ""))}  # fmt: skip


def _values(text: str) -> str:
    if not text:
        return "{}"
    if len(text) > MAX_VALUES:
        raise FormError(f"field 'properties[values]' is longer than {MAX_VALUES} characters")
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormError(
            f"field 'properties[values]' is not JSON ({exc.msg}, position {exc.pos})"
        ) from exc
    if not isinstance(parsed, dict):
        raise FormError("field 'properties[values]' must be a JSON object")
    return json.dumps(parsed, ensure_ascii=False, sort_keys=True)
