"""User fields of the employee (``user.userfield.add/list``), after
api-reference/user/userfields/user-userfield-add.md and user-userfield-list.md: scope
``user.userfield``, administrator only, ``FIELD_NAME`` «prefixed with UF_USR_», the answer
of ``add`` is the new field's id, a second field of the same name is ``ERROR_CORE``.

Whether Bitrix24 adds the ``UF_USR_`` prefix to a name given without it is not spelled out
(UNCONFIRMED): the ``user_field_prefix`` switch says ``if_missing`` (added when absent) or
``never`` (kept as given). A name given with the prefix is kept either way."""

from typing import Any

from sandbox.calls import Call, method
from sandbox.envelope import Page
from sandbox.errors import RestError
from sandbox.listing import paginate

PREFIX = "UF_USR_"
TYPES = ("string", "integer", "double", "date", "datetime", "boolean", "file", "enumeration",
         "url", "address", "money", "iblock_section", "iblock_element", "employee", "crm",
         "crm_status")  # fmt: skip


def _name(call: Call, given: str) -> str:
    if given.startswith(PREFIX) or call.portal.config.user_field_prefix == "never":
        return given
    return PREFIX + given


@method("user.userfield.add", admin_only=True)
def user_field_add(call: Call) -> int:
    fields = {str(k).upper(): v for k, v in call.dict_param("fields").items()}
    if not fields.get("FIELD_NAME"):
        raise RestError("", "The 'FIELD_NAME' field is not found.", status=400)
    kind = str(fields.get("USER_TYPE_ID") or "")
    if not kind:
        raise RestError("", "The 'USER_TYPE_ID' field is not found.", status=400)
    if kind not in TYPES and not kind.startswith("rest_"):
        raise RestError("ERROR_CORE", "Fail to create new user field", status=400)
    name = _name(call, str(fields["FIELD_NAME"]))
    if any(f["FIELD_NAME"] == name for f in call.portal.user_fields):
        raise RestError(
            "ERROR_CORE", f"Field {name} for the USER object already exists", status=400
        )
    field_id = call.portal.next_id("user_field")
    call.portal.user_fields.append(_record(field_id, name, kind, fields))
    return field_id


def _record(field_id: int, name: str, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    label = fields.get("EDIT_FORM_LABEL") or fields.get("LABEL") or name
    return {
        "ID": str(field_id), "ENTITY_ID": "USER", "FIELD_NAME": name, "USER_TYPE_ID": kind,
        "XML_ID": fields.get("XML_ID"), "SORT": str(fields.get("SORT") or 100),
        "MULTIPLE": str(fields.get("MULTIPLE") or "N"),
        "MANDATORY": str(fields.get("MANDATORY") or "N"),
        "SHOW_FILTER": str(fields.get("SHOW_FILTER") or "N"),
        "SHOW_IN_LIST": str(fields.get("SHOW_IN_LIST") or "Y"),
        "EDIT_IN_LIST": str(fields.get("EDIT_IN_LIST") or "Y"),
        "IS_SEARCHABLE": str(fields.get("IS_SEARCHABLE") or "N"),
        "SETTINGS": fields.get("SETTINGS") or {}, "EDIT_FORM_LABEL": label,
    }  # fmt: skip


@method("user.userfield.list", admin_only=True)
def user_field_list(call: Call) -> Page:
    filters = {str(k).upper(): v for k, v in call.dict_param("filter").items()}
    chosen = [
        f
        for f in call.portal.user_fields
        if all(str(f.get(key)) == str(value) for key, value in filters.items())
    ]
    return paginate(chosen, call.param("start"))
