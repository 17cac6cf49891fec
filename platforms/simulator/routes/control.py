"""Control of the simulator: outages, account behaviour, state and the call log.

Not a simulated platform: no outage applies here, and its writes are plain idempotent
PUT/DELETE (no Idempotency-Key).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from platforms.simulator.routes.deps import SimulatorDep, in_thread
from platforms.simulator.schemas import AccountUpdate, CapacitySet, OutageSet
from platforms.simulator.service import Platform

__all__ = ["router"]

router = APIRouter(prefix="/control", tags=["control"])


@router.put("/outages/{platform}")
async def set_outage(
    platform: Platform, body: OutageSet, simulator: SimulatorDep
) -> dict[str, Any]:
    """Make a platform misbehave: down for a while, random errors, latency, rejection."""
    return await in_thread(simulator.set_outage, platform, body.model_dump())


@router.delete("/outages/{platform}", status_code=204)
async def clear_outage(platform: Platform, simulator: SimulatorDep) -> Response:
    """Make a platform behave again."""
    await in_thread(simulator.clear_outage, platform)
    return Response(status_code=204)


@router.put("/capacity/{platform}")
async def set_capacity(
    platform: Platform, body: CapacitySet, simulator: SimulatorDep
) -> dict[str, Any]:
    """Limit how many deliveries (creating calls) per second a platform accepts."""
    return await in_thread(simulator.set_capacity, platform, body.model_dump())


@router.delete("/capacity/{platform}", status_code=204)
async def clear_capacity(platform: Platform, simulator: SimulatorDep) -> Response:
    """Remove a platform's capacity limit."""
    await in_thread(simulator.clear_capacity, platform)
    return Response(status_code=204)


@router.get("/state")
async def read_state(simulator: SimulatorDep) -> dict[str, Any]:
    """Clock, legal day, outages, webhook counts."""
    return await in_thread(simulator.state)


@router.get("/log")
async def read_log(
    simulator: SimulatorDep,
    platform: Annotated[Platform | None, Query()] = None,
    operation: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    """Every accepted call (first executions; replays are counted, not listed)."""
    calls = await in_thread(simulator.call_log, platform=platform, operation=operation)
    return {"calls": calls}


@router.get("/accounts")
async def list_accounts(simulator: SimulatorDep) -> dict[str, Any]:
    """The e-transaction accounts and their behaviour."""
    return {"accounts": await in_thread(simulator.accounts)}


@router.put("/accounts/{account_id}")
async def update_account(
    account_id: str, body: AccountUpdate, simulator: SimulatorDep
) -> dict[str, Any]:
    """Change an account's status or its delays (applies to deliveries accepted later)."""
    return await in_thread(simulator.update_account, account_id, body.model_dump())


@router.get("/webhooks")
async def list_webhooks(simulator: SimulatorDep) -> dict[str, Any]:
    """Every scheduled webhook event with its sending state."""
    return {"events": await in_thread(simulator.webhook_events)}


@router.post("/webhooks/pump")
async def pump_webhooks(simulator: SimulatorDep) -> dict[str, Any]:
    """Send the due webhooks now (besides the background loop)."""
    return {"taken": await simulator.pump_webhooks()}
