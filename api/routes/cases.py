"""Case files: open (through the OpenCase workflow), list, read, parties, inventory, stage."""

import asyncio
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from temporalio.client import WorkflowFailureError

from api.deps import (
    CurrentActor,
    PopulationDep,
    SessionDep,
    SessionFactoryDep,
    SettingsDep,
    TemporalClientDep,
)
from api.errors import domain_error_from
from api.processes import start_once
from api.schemas import (
    CaseCreate,
    CaseDetail,
    CaseOpening,
    CasePublic,
    CasesPublic,
    InventoryEntry,
    InventoryPublic,
    PartyCreate,
    PartyPublic,
    StageChange,
)
from casefile.access import check_can_edit_case, check_can_open_case
from casefile.codes import Stage
from casefile.db import SessionFactory, transaction
from casefile.models import User
from casefile.repositories.cases import CaseFilter, get_agency_by_code, get_case_by_code
from casefile.usecases.add_party import PartySource, PersonRecord, add_party
from casefile.usecases.change_stage import change_stage
from casefile.usecases.read_case import read_case, read_inventory, search_cases
from workflows import open_case_workflow_id
from workflows.io import OpenCaseInput, OpenCaseResult
from workflows.open_case import OpenCaseWorkflow

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

OPEN_CASE_WAIT_SECONDS = 30
"""How long POST /cases waits for the workflow before answering 202 with its id."""

CodePath = Annotated[str, "the electronic file code"]


def _precheck_open(sessions: SessionFactory, actor: User, new: CaseCreate) -> None:
    """Refuse before starting a workflow, so a refused request leaves nothing behind."""
    with transaction(sessions) as session:
        check_can_open_case(actor, get_agency_by_code(session=session, code=new.agency_code))


def _load_opened(sessions: SessionFactory, code: str) -> CasePublic:
    with transaction(sessions) as session:
        return CasePublic.model_validate(get_case_by_code(session=session, code=code))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CasePublic,
    responses={202: {"model": CaseOpening}},
)
async def open_case(
    new: CaseCreate,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    temporal: TemporalClientDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> Any:
    """Open a case file; the OpenCase workflow assigns the electronic file code.

    Answers 201 with the case, or 202 with the workflow id if the workflow has not finished
    within 30 s. Repeating the request with the same Idempotency-Key returns the same case.
    No database transaction is held while waiting on the workflow.
    """
    await run_in_threadpool(_precheck_open, sessions, actor, new)
    request_id = f"{actor.id}:{idempotency_key or uuid.uuid4()}"
    workflow_id = open_case_workflow_id(settings.task_queue, request_id)
    handle = await start_once(
        temporal,
        OpenCaseWorkflow.run,
        OpenCaseInput(request_id=request_id, actor_id=actor.id, case=new),
        workflow_id=workflow_id,
        task_queue=settings.task_queue,
    )
    try:
        raw = await asyncio.wait_for(handle.result(), timeout=OPEN_CASE_WAIT_SECONDS)
    except TimeoutError:
        opening = CaseOpening(workflow_id=workflow_id, status="running")
        return JSONResponse(opening.model_dump(), status_code=status.HTTP_202_ACCEPTED)
    except WorkflowFailureError as failure:
        domain = domain_error_from(failure)
        if domain is not None:
            raise domain from failure
        raise
    result = OpenCaseResult.model_validate(raw)
    opened = await run_in_threadpool(_load_opened, sessions, result.code)
    response.headers["Location"] = f"/api/v1/cases/{opened.code}"
    return opened


@router.get("")
def list_cases(
    actor: CurrentActor,
    session: SessionDep,
    stage: Stage | None = None,
    q: Annotated[
        str | None, Query(max_length=100, description="text in title/offence/code")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CasesPublic:
    """List the cases of the caller's agency, newest first."""
    where = CaseFilter(owner_agency_id=actor.agency_id, stage=stage, text=q)
    rows, total = search_cases(session, actor=actor, where=where, limit=limit, offset=offset)
    return CasesPublic(
        items=[CasePublic.model_validate(case) for case in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/{code}")
def read_case_detail(code: CodePath, actor: CurrentActor, session: SessionDep) -> CaseDetail:
    """Read one case file with its parties (the read is logged)."""
    case, parties = read_case(session, actor=actor, code=code)
    return CaseDetail(
        **CasePublic.model_validate(case).model_dump(),
        summary=case.summary,
        parties=[PartyPublic.model_validate(party) for party in parties],
    )


class PartyAdded(PartyPublic):
    """The party added, and where its identifying facts came from."""

    source: PartySource
    """``population_db``: name, birth year, residence and electronic account were retrieved
    from the National Population Database; ``manual``: entered by hand (it has no record)."""


def _precheck_party(sessions: SessionFactory, actor: User, code: str) -> None:
    """Refuse an unknown case or a caller without authority before the population database is
    asked anything about a person."""
    with transaction(sessions) as session:
        check_can_edit_case(actor, get_case_by_code(session=session, code=code))


def _add_party(
    sessions: SessionFactory, actor: User, code: str, new: PartyCreate, person: PersonRecord | None
) -> PartyAdded:
    with transaction(sessions) as session:
        case = get_case_by_code(session=session, code=code, for_update=True)
        party = add_party(session, actor=actor, case=case, new=new, person=person)
        source = PartySource.MANUAL if person is None else PartySource.POPULATION_DB
        return PartyAdded(**PartyPublic.model_validate(party).model_dump(), source=source)


@router.post("/{code}/parties", status_code=status.HTTP_201_CREATED)
async def create_party(
    code: CodePath,
    new: PartyCreate,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    population: PopulationDep,
) -> PartyAdded:
    """Add a participant; the answer carries the party code and the ``source`` of its facts.

    With a ``national_id`` the National Population Database is asked first (Joint Circular
    art. 11(1)): where it has the person, name, birth year, residence and electronic account
    (only an active one) come from it, and a hand-entered value that differs is refused
    with 422 naming the field; where it has none, the facts are entered by hand and
    ``full_name`` is required (422 naming it). While the database cannot be reached the
    answer is 503: nothing is entered by hand in its place. No database transaction is
    held while it is asked.
    """
    await run_in_threadpool(_precheck_party, sessions, actor, code)
    person = await population.lookup(new.national_id) if new.national_id else None
    return await run_in_threadpool(_add_party, sessions, actor, code, new, person)


@router.get("/{code}/inventory")
def read_case_inventory(
    code: CodePath, actor: CurrentActor, session: SessionDep
) -> InventoryPublic:
    """The file's inventory: record numbers, document codes and SHA-256 (the read is logged)."""
    case, documents = read_inventory(session, actor=actor, code=code)
    return InventoryPublic(
        case_code=case.code,
        stage=Stage(case.stage),
        record_count=max((d.last_record for d in documents), default=0),
        documents=[InventoryEntry.model_validate(d) for d in documents],
    )


@router.post("/{code}/stage")
def move_case_stage(
    code: CodePath, change: StageChange, actor: CurrentActor, session: SessionDep
) -> CasePublic:
    """Move the case to another stage, if the procedure allows it (409 otherwise)."""
    case = get_case_by_code(session=session, code=code, for_update=True)
    return CasePublic.model_validate(
        change_stage(session, actor=actor, case=case, target=change.target, reason=change.reason)
    )
