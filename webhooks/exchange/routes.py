"""The exchange gateway's HTTP routes: both doors on one router."""

from webhooks.exchange import rpc_route

router = rpc_route.router
