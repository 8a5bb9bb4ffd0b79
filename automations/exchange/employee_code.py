"""The employee code user field (табельный номер) responsible users are matched by
(``rules.EMPLOYEE_CODE_FIELD``), created by ``b24bridge exchange provision``.

Facts (api-reference/user/userfields/user-userfield-add.md, user-userfield-list.md): scope
``user.userfield``, administrator only; ``add`` takes ``fields`` with ``FIELD_NAME``
(«prefixed with UF_USR_» — we pass the full name, which is right whether or not Bitrix24
adds a missing prefix) and ``USER_TYPE_ID``, and answers the new field's id; ``list`` takes
a ``filter`` by ``FIELD_NAME``. Idempotent: the field found by ``list`` is left as it is; an
``ERROR_CORE`` «already exists» from a concurrent provisioning counts as found.
"""

from automations.exchange.rules import EMPLOYEE_CODE_FIELD
from connectors.bitrix24 import BadRequestError, Bitrix24Client

LABEL = "Табельный номер"


async def provision_employee_code(client: Bitrix24Client) -> list[str]:
    listed = await client.call(
        "user.userfield.list", {"filter": {"FIELD_NAME": EMPLOYEE_CODE_FIELD}}
    )
    if any(f.get("FIELD_NAME") == EMPLOYEE_CODE_FIELD for f in listed or []):
        return []
    fields = {
        "FIELD_NAME": EMPLOYEE_CODE_FIELD, "USER_TYPE_ID": "string", "XML_ID": EMPLOYEE_CODE_FIELD,
        "MULTIPLE": "N", "MANDATORY": "N", "SHOW_FILTER": "Y", "IS_SEARCHABLE": "Y",
        "EDIT_FORM_LABEL": {"ru": LABEL, "en": "Employee code"}, "LABEL": LABEL,
    }  # fmt: skip
    try:
        await client.call("user.userfield.add", {"fields": fields})
    except BadRequestError as exc:
        if exc.code.upper() != "ERROR_CORE" or "already exists" not in exc.description:
            raise
        return []
    return [f"user field {EMPLOYEE_CODE_FIELD}"]
