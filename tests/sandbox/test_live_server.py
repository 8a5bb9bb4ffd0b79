"""Over real HTTP: the sandbox and a receiver each on a uvicorn server on a free loopback port."""

import httpx

from tests.sandbox.conftest import Receiver

DOC_EVENT_KEYS = {
    "event",
    "event_handler_id",
    "data[FIELDS][ID]",
    "ts",
    "auth[access_token]",
    "auth[expires_in]",
    "auth[scope]",
    "auth[domain]",
    "auth[server_endpoint]",
    "auth[status]",
    "auth[client_endpoint]",
    "auth[member_id]",
    "auth[application_token]",
}


class TestLiveDelivery:
    async def test_event_reaches_a_real_handler_in_the_documented_wire_format(
        self, live_pair: tuple[str, str], receiver: Receiver
    ) -> None:
        sandbox_url, receiver_url = live_pair
        async with httpx.AsyncClient(base_url=sandbox_url, timeout=30) as http:
            install = await http.post(
                "/_sandbox/portals/demo/install", json={"install_url": f"{receiver_url}/install"}
            )
            assert install.json()["installed"] is True
            auth = dict(receiver.received[0].pairs)["AUTH_ID"]
            bound = await http.post(
                "/rest/event.bind",
                json={"auth": auth, "event": "ONCRMDEALADD", "handler": f"{receiver_url}/events"},
            )
            assert bound.json()["result"] is True
            await http.post("/rest/crm.deal.add", data={"auth": auth, "fields[TITLE]": "live"})
            assert (await http.post("/_sandbox/portals/demo/events/flush")).json()["delivered"] == 1
        (event,) = receiver.events("ONCRMDEALADD")
        keys = {k for k, _ in event.pairs}
        assert keys >= DOC_EVENT_KEYS
        assert {"auth[expires]", "auth[user_id]", "auth[refresh_token]"} <= keys
        assert event.data["auth"]["client_endpoint"] == f"{sandbox_url}/p/demo/rest/"
