"""The exchange gateway's HTTP routes: both doors on one router."""

from fastapi import APIRouter

from webhooks.exchange import onec_route, rpc_route

router = APIRouter()
router.include_router(rpc_route.router)
router.include_router(onec_route.router)
