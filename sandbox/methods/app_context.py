"""Users and the application itself: ``user.current``, ``user.get``, ``user.admin``,
``profile``, ``app.info`` (app context only, §7)."""

from typing import Any

from sandbox.calls import Call, method, to_int
from sandbox.envelope import Page
from sandbox.listing import paginate
from sandbox.state import User


def user_out(user: User) -> dict[str, Any]:
    return {
        "ID": str(user.id),
        "ACTIVE": True,
        "NAME": user.name,
        "LAST_NAME": user.last_name,
        "EMAIL": user.email,
        "WORK_POSITION": user.position,
        "UF_DEPARTMENT": [1],
        "IS_ONLINE": "N",
        "USER_TYPE": "employee",
    } | user.fields


@method("user.current")
def user_current(call: Call) -> dict[str, Any]:
    return user_out(call.portal.users[call.caller.user_id])


@method("user.admin")
def user_admin(call: Call) -> bool:
    return call.portal.users[call.caller.user_id].admin


@method("user.get")
def user_get(call: Call) -> Page:
    filters = call.dict_param("filter")
    wanted = call.param("ID") or filters.get("ID")
    users = sorted(call.portal.users.values(), key=lambda u: u.id)
    for name, value in filters.items():  # user fields filter by exact value
        if name.startswith("UF_"):
            users = [u for u in users if u.fields.get(name) == str(value)]
    if wanted not in (None, ""):
        ids = {to_int(v) for v in wanted} if isinstance(wanted, list) else {to_int(wanted)}
        users = [u for u in users if u.id in ids]
    page = paginate(users, call.param("start"))
    return Page([user_out(u) for u in page.result], page.total, page.next)


@method("profile")
def profile(call: Call) -> dict[str, Any]:
    user = call.portal.users[call.caller.user_id]
    return {
        "ID": str(user.id),
        "ADMIN": user.admin,
        "NAME": user.name,
        "LAST_NAME": user.last_name,
        "PERSONAL_GENDER": "",
        "TIME_ZONE": "Europe/Moscow",
        "TIME_ZONE_OFFSET": call.offset * 3600,
    }


@method("app.info", app_only=True)
def app_info(call: Call) -> dict[str, Any]:
    return {
        "ID": 1,
        "CODE": call.sandbox.settings.client_id,
        "VERSION": 1,
        "STATUS": "L",
        "INSTALLED": call.portal.app.installed,
        "PAYMENT_EXPIRED": "N",
        "DAYS": None,
        "LANGUAGE_ID": "ru",
        "LICENSE": "ru_project",
        "LICENSE_TYPE": "project",
        "LICENSE_FAMILY": "project",
    }
