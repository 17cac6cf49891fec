"""Liveness of the API and what it depends on."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import text

router = APIRouter(prefix="/api/v1", tags=["health"])


def _database_ok(request: Request) -> bool:
    try:
        with request.app.state.sessions() as session:
            session.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@router.get("/health")
async def read_health(request: Request) -> JSONResponse:
    """Report whether the database and Temporal answer (503 when one does not)."""
    database = await run_in_threadpool(_database_ok, request)
    try:
        temporal = await asyncio.wait_for(
            request.app.state.temporal.service_client.check_health(), timeout=3
        )
    except Exception:
        temporal = False
    healthy = database and temporal
    body = {
        "status": "ok" if healthy else "degraded",
        "database": "ok" if database else "unavailable",
        "temporal": "ok" if temporal else "unavailable",
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
