"""``b24bridge exchange provision`` as an operator runs it, against the sandbox over HTTP:
it creates the employee code user field responsible users are matched by, once — a second
run and a field an admin made by hand are left alone — whichever way the portal treats the
``UF_USR_`` prefix (the sandbox switch ``user_field_prefix``)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from automations.exchange.rules import EMPLOYEE_CODE_FIELD
from tests.app_process import run_app_async
from tests.e2e.harness import Stack, live_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["if_missing", "never"])
async def stack(database_url: str, request: pytest.FixtureRequest) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as stack:
        await stack.ctl("PATCH", "/config", json={"user_field_prefix": request.param})
        await stack.install()
        yield stack


async def provision(stack: Stack) -> str:
    code, out, err = await run_app_async(
        "exchange", "provision", "--member-id", stack.member_id, env=stack.process_env()
    )
    assert code == 0, err
    return out


async def user_fields(stack: Stack) -> list[dict[str, Any]]:
    return list(await stack.act("user.userfield.list", {}, user_id=1))


class TestEmployeeCodeField:
    async def test_provision_creates_the_field_once(self, stack: Stack) -> None:
        first = await provision(stack)
        assert f"user field {EMPLOYEE_CODE_FIELD}" in first
        [field] = [f for f in await user_fields(stack) if f["FIELD_NAME"] == EMPLOYEE_CODE_FIELD]
        assert field["USER_TYPE_ID"] == "string" and field["MULTIPLE"] == "N"
        second = await provision(stack)
        assert "Nothing to create" in second
        assert len(await user_fields(stack)) == 1

    async def test_a_field_made_by_hand_is_kept(self, stack: Stack) -> None:
        by_hand = {"FIELD_NAME": EMPLOYEE_CODE_FIELD, "USER_TYPE_ID": "string", "SORT": 500}
        await stack.act("user.userfield.add", {"fields": by_hand}, user_id=1)
        out = await provision(stack)
        assert "user field" not in out
        [field] = await user_fields(stack)
        assert field["SORT"] == "500"
