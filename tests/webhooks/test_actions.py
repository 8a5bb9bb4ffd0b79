"""Action webhooks for the "webhook" automation rule: secret-checked, deduplicated, queued (S1-S3)."""

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import pytest

from app.core.models import InboxEvent, Job
from tests.appclient import MEMBER_ID, AppHarness, app_harness

SECRET = "action-secret-value"
ADMIN = "admin-token-for-action-tests"


@pytest.fixture
async def harness(database_url: str) -> AsyncIterator[AppHarness]:
    async with app_harness(
        database_url, admin_token=ADMIN, app_base_url="https://bridge.example"
    ) as harness:
        await harness.register()
        yield harness


def query(**fields: str) -> dict[str, str]:
    return {"member_id": MEMBER_ID, "deal_id": "759", "secret": SECRET} | fields


async def rows(harness: AppHarness) -> tuple[int, int]:
    return await harness.count(InboxEvent), await harness.count(Job)


class TestActionWebhooks:
    async def test_get_with_query_parameters_queues_the_action(self, harness: AppHarness) -> None:
        response = await harness.http.get("/b24/actions/recheck_search", params=query())
        assert response.status_code == 200 and response.json() == {"status": "queued"}
        async with harness.context.sessions() as session:
            job = await session.get(Job, 1)
        assert job is not None and job.kind == "action"
        assert job.payload == {"action": "recheck_search", "deal_id": 759, "params": {}}

    async def test_post_with_form_fields_and_a_document_id(self, harness: AppHarness) -> None:
        response = await harness.post_form(
            "/b24/actions/apply_discount", query(deal_id="DEAL_759", amount="99.9")
        )
        assert response.json() == {"status": "queued"}
        async with harness.context.sessions() as session:
            job = await session.get(Job, 1)
        assert job is not None and job.payload["params"] == {"amount": "99.90"}

    async def test_the_same_request_repeated_runs_once(self, harness: AppHarness) -> None:
        answers = [
            (await harness.http.post("/b24/actions/clear_products", params=query())).json()
            for _ in range(3)
        ]
        assert answers == [{"status": "queued"}, {"status": "duplicate"}, {"status": "duplicate"}]
        assert await rows(harness) == (1, 1)

    async def test_different_amounts_are_different_requests(self, harness: AppHarness) -> None:
        await harness.http.post("/b24/actions/apply_discount", params=query(amount="10"))
        await harness.http.post("/b24/actions/apply_discount", params=query(amount="20"))
        assert await rows(harness) == (2, 2)


class TestRefusedActionWebhooks:
    @pytest.mark.parametrize(
        ("path", "fields", "status"),
        [
            ("/b24/actions/recheck_search", query(secret="wrong-secret-value"), 403),
            ("/b24/actions/recheck_search", query(secret=SECRET + "x"), 403),
            ("/b24/actions/recheck_search", query(member_id="f" * 32), 401),
            ("/b24/actions/launch_rockets", query(), 404),
            ("/b24/actions/recheck_search", query(deal_id="abc"), 400),
            ("/b24/actions/recheck_search", query(deal_id="-3"), 400),
            ("/b24/actions/recheck_search", query(secret=""), 400),
            ("/b24/actions/apply_discount", query(), 400),
            ("/b24/actions/apply_discount", query(amount="-1"), 400),
            ("/b24/actions/apply_discount", query(amount="1.001"), 400),
        ],
        ids=[
            "wrong-secret",
            "longer-secret",
            "unknown-portal",
            "unknown-action",
            "text-deal",
            "negative-deal",
            "no-secret",
            "no-amount",
            "negative-amount",
            "sub-kopeck",
        ],
    )
    async def test_refused_with_nothing_written(
        self, harness: AppHarness, path: str, fields: dict[str, str], status: int
    ) -> None:
        response = await harness.http.post(path, params=fields)
        assert response.status_code == status
        assert response.json()["error_description"]
        assert await rows(harness) == (0, 0)

    async def test_malformed_form_body_is_400(self, harness: AppHarness) -> None:
        response = await harness.http.post(
            "/b24/actions/recheck_search",
            content=b"%zz%%=1&&",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 400
        assert await rows(harness) == (0, 0)


class TestActionUrls:
    async def test_admin_lists_copy_paste_urls_with_the_secret(self, harness: AppHarness) -> None:
        response = await harness.http.get(
            f"/admin/portals/{MEMBER_ID}/action-urls", headers={"authorization": f"Bearer {ADMIN}"}
        )
        urls = response.json()["urls"]
        assert set(urls) == {"expand_kits", "apply_discount", "clear_products", "recheck_search"}
        discount = urlsplit(urls["apply_discount"])
        assert (
            discount.netloc == "bridge.example" and discount.path == "/b24/actions/apply_discount"
        )
        assert parse_qs(discount.query) == {
            "member_id": [MEMBER_ID],
            "deal_id": ["{{ID}}"],
            "secret": [SECRET],
            "amount": ["{{amount}}"],
        }

    async def test_without_the_admin_token_it_is_closed(self, harness: AppHarness) -> None:
        response = await harness.http.get(f"/admin/portals/{MEMBER_ID}/action-urls")
        assert response.status_code == 401 and SECRET not in response.text

    async def test_unknown_portal_is_404(self, harness: AppHarness) -> None:
        response = await harness.http.get(
            "/admin/portals/nope/action-urls", headers={"authorization": f"Bearer {ADMIN}"}
        )
        assert response.status_code == 404


class TestActionSecretHeader:
    async def test_the_secret_may_come_in_a_header_instead_of_the_url(
        self, harness: AppHarness
    ) -> None:
        params = {"member_id": MEMBER_ID, "deal_id": "759"}
        headers = {"X-Action-Secret": SECRET}
        response = await harness.http.get(
            "/b24/actions/recheck_search", params=params, headers=headers
        )
        assert response.status_code == 200 and response.json() == {"status": "queued"}

    async def test_a_wrong_secret_in_the_header_is_refused(self, harness: AppHarness) -> None:
        params = {"member_id": MEMBER_ID, "deal_id": "759"}
        headers = {"X-Action-Secret": SECRET + "x"}
        response = await harness.http.get(
            "/b24/actions/recheck_search", params=params, headers=headers
        )
        assert response.status_code == 403
