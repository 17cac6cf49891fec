"""The national population database.

Legal basis: Joint Circular art. 11(1) (participants' data are retrieved from it).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from platforms.simulator.routes.deps import SimulatorDep, guarded, in_thread
from platforms.simulator.service import Platform

__all__ = ["router"]

router = APIRouter(
    prefix="/population",
    tags=["population"],
    dependencies=[Depends(guarded(Platform.POPULATION))],
)


@router.get("/people/{national_id}")
async def read_person(
    national_id: Annotated[str, Path(pattern=r"^[0-9]{12}$")], simulator: SimulatorDep
) -> dict[str, Any]:
    """Name, birth year, residence and e-transaction account of a person."""
    return await in_thread(simulator.person, national_id)
