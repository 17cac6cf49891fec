"""Data of the outage benchmark, written directly (no API round trips for 5,000 parties):

- in hoso's database, one case of CSDTHN opened by ``dtv.an`` with one filed document (a
  notice to the victims of a mass fraud) and N victims, each with an electronic account,
  recorded as the document's recipients;
- in the simulator's state (before it starts), the N accounts: active, "delivered" 1 s
  after acceptance, never opened, so each delivery sends one webhook.
"""

import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from casefile.blobstore import FileBlobStore
from casefile.codes import PartyRole
from casefile.db import make_engine, make_session_factory, transaction
from casefile.inputs import NewCase, NewDocument, NewParty
from casefile.models import Document, User
from casefile.repositories.cases import get_case_by_code
from casefile.settings import Settings
from casefile.usecases.add_party import add_party
from casefile.usecases.file_document import file_document
from casefile.usecases.issue_document import record_recipients
from casefile.usecases.open_case import open_case
from platforms.simulator.store import Store

__all__ = [
    "Recipients",
    "account_of",
    "create_recipients",
    "migrate_and_load_demo",
    "seed_accounts",
]

OFFICER = "dtv.an"
DELIVERED_AFTER_S = 1.0
PARTIES_PER_TRANSACTION = 500
FIRST_NATIONAL_ID = 900_000_000_000  # outside the simulator's seeded people


def account_of(index: int) -> str:
    return f"TK{FIRST_NATIONAL_ID + index}"


@dataclass(frozen=True)
class Recipients:
    case_code: str
    document_code: str
    actor_id: int
    parties: list[tuple[str, str]]
    """(party code, account) of each recipient."""


def migrate_and_load_demo(env: dict[str, str], log: Path) -> None:
    """``hoso migrate`` and ``hoso demo``, as an operator runs them."""
    with open(log, "ab") as out:
        for command in ("migrate", "demo"):
            subprocess.run(
                [sys.executable, "-m", "hoso.cli", command],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=True,
            )


def create_recipients(settings: Settings, count: int) -> Recipients:
    engine = make_engine(settings.effective_database_url)
    sessions = make_session_factory(engine)
    blobs = FileBlobStore(settings.effective_blob_dir)
    now = datetime.now(UTC)
    pdf = f"%PDF-1.7 thông báo cho các bị hại {uuid.uuid4()}".encode()
    with transaction(sessions) as session:
        actor = session.scalars(select(User).where(User.username == OFFICER)).one()
        case = open_case(
            session,
            actor=actor,
            new=NewCase(
                agency_code=actor.agency.code,
                title="Vụ lừa đảo chiếm đoạt tài sản qua mạng (đo tải gián đoạn nền tảng)",
                offence="Điều 174 BLHS",
            ),
            request_id=str(uuid.uuid4()),
            opened_at=now,
            zone=ZoneInfo(settings.time_zone),
        )
        document = file_document(
            session,
            actor=actor,
            case=case,
            new=NewDocument(
                doc_type="digitized_report",
                title="Thông báo về quyền và nghĩa vụ của bị hại",
                sha256=blobs.put(pdf),
                size=len(pdf),
                page_count=1,
            ),
            request_key=str(uuid.uuid4()),
            blobs=blobs,
        )
        case_code, document_code, actor_id = case.code, document.code, actor.id
    parties: list[tuple[str, str]] = []
    for first in range(0, count, PARTIES_PER_TRANSACTION):
        with transaction(sessions) as session:
            actor = session.scalars(select(User).where(User.username == OFFICER)).one()
            case = get_case_by_code(session=session, code=case_code)
            added = [
                add_party(
                    session,
                    actor=actor,
                    case=case,
                    new=NewParty(
                        role=PartyRole.VICTIM,
                        full_name=f"Bị hại số {index + 1}",
                        birth_year=1950 + index % 50,
                        e_account=account_of(index),
                    ),
                    person=None,
                )
                for index in range(first, min(count, first + PARTIES_PER_TRANSACTION))
            ]
            document = session.scalars(select(Document).where(Document.code == document_code)).one()
            record_recipients(session, document=document, parties=added, now=now)
            parties += [(party.code, party.e_account) for party in added]
    engine.dispose()
    return Recipients(case_code, document_code, actor_id, parties)


def seed_accounts(state_dir: Path, count: int) -> None:
    """Write the N accounts (and their people) into the simulator's state before it starts."""
    store = Store(state_dir)
    try:
        with store.transaction() as db:
            for index in range(count):
                national_id = str(FIRST_NATIONAL_ID + index)
                db.execute(
                    "INSERT OR IGNORE INTO people VALUES (?, ?, ?, ?, ?)",
                    (
                        national_id,
                        f"Bị hại số {index + 1}",
                        1950 + index % 50,
                        "",
                        account_of(index),
                    ),
                )
                db.execute(
                    "INSERT OR IGNORE INTO accounts VALUES (?, ?, 'active', ?, NULL, NULL)",
                    (account_of(index), national_id, DELIVERED_AFTER_S),
                )
    finally:
        store.close()
