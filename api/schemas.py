"""Response shapes of the REST API (inputs are casefile.inputs models)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from casefile.codes import DocumentForm, DocumentStatus, PartyRole, SecrecyLevel, Stage
from casefile.inputs import NewCase, NewParty

__all__ = [
    "CaseCreate",
    "PartyCreate",
    "StageChange",
    "CasePublic",
    "CaseDetail",
    "CasesPublic",
    "CaseOpening",
    "PartyPublic",
    "InventoryEntry",
    "InventoryPublic",
    "ErrorBody",
]

CaseCreate = NewCase
PartyCreate = NewParty


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class StageChange(BaseModel):
    target: Stage
    reason: str = Field(min_length=3, max_length=2000)


class CasePublic(_Out):
    code: str
    title: str
    offence: str
    stage: Stage
    secrecy: SecrecyLevel
    agency_code: str
    opened_at: datetime


class PartyPublic(_Out):
    code: str
    role: PartyRole
    full_name: str
    birth_year: int | None
    residence: str
    national_id: str | None
    e_account: str | None
    detained: bool
    whereabouts_known: bool


class CaseDetail(CasePublic):
    summary: str
    parties: list[PartyPublic]


class CasesPublic(BaseModel):
    items: list[CasePublic]
    total: int
    limit: int
    offset: int


class CaseOpening(BaseModel):
    """Answer to POST /cases while the OpenCase workflow is still running (202)."""

    workflow_id: str
    status: str


class InventoryEntry(_Out):
    number: int
    code: str
    doc_type: str
    title: str
    form: DocumentForm
    status: DocumentStatus
    procedural_number: str | None
    first_record: int
    last_record: int
    page_count: int
    sha256: str
    size: int
    created_at: datetime


class InventoryPublic(BaseModel):
    case_code: str
    stage: Stage
    record_count: int
    documents: list[InventoryEntry]


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None


class ErrorBody(BaseModel):
    error: ErrorDetail
