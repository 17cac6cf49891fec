"""Participants read and copy documents of the file (Joint Circular art. 15(2)): what each
account sees, the 404 for everything else, the log and the counts, counsel and shares."""

import hashlib
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from casefile.audit import verify_chain
from casefile.blobstore import FileBlobStore
from casefile.codes import PartyRole, Role, SecrecyLevel
from casefile.db import transaction
from casefile.delivery import RecipientStatus
from casefile.errors import InvalidCode, NotFound, NotPermitted
from casefile.filecodes import ExtensionKind, parse_case_code
from casefile.fonts import SERIF_REGULAR
from casefile.inputs import NewDocument
from casefile.models import AuditEvent, Document, DocumentRecipient, Party, User
from casefile.repositories.cases import get_case_by_code
from casefile.signing.pades import format_vn_time
from casefile.usecases.file_document import file_document
from casefile.usecases.link_counsel import link_counsel, unlink_counsel
from casefile.usecases.read_as_participant import (
    AccessKind,
    copy_participant_document,
    list_participant_cases,
    list_participant_documents,
    participant_access_summary,
    read_participant_document,
    take_participant_document,
)
from casefile.usecases.share_document import share_document, unshare_document
from tests import factories
from tests.casefile.signing.conftest import _make_pdf
from tests.conftest import Database

SUSPECT_ID = "026101000007"
COUNSEL_ID = "001075000011"
STRANGER_ID = "036099000006"


@dataclass
class File:
    case_code: str
    party_code: str
    delivered: str
    undelivered: str
    pending: str


def _participant(session, username: str, full_name: str, national_id: str) -> User:
    account = User(
        username=username,
        full_name=full_name,
        agency_id=factories.user(session, "dtv.an").agency_id,
        roles=[Role.PARTICIPANT.value],
        clearance=SecrecyLevel.UNCLASSIFIED,
        national_id=national_id,
    )
    session.add(account)
    session.flush()
    return account


def _pdf_document(session, case, blobs: FileBlobStore, title: str) -> Document:
    data = _make_pdf(2)
    return file_document(
        session,
        actor=factories.user(session, "dtv.an"),
        case=case,
        new=NewDocument(
            doc_type="digitized_report",
            title=title,
            sha256=blobs.put(data + title.encode()),
            size=len(data + title.encode()),
            page_count=2,
        ),
        request_key=title,
        blobs=blobs,
    )


def _recipient(session, document: Document, party: Party, status: RecipientStatus) -> None:
    session.add(
        DocumentRecipient(
            document_id=document.id,
            party_id=party.id,
            status=status.value,
            created_at=datetime.now(UTC),
        )
    )


@pytest.fixture
def file(database: Database, demo_tokens, blobs: FileBlobStore) -> File:
    """A case with a suspect whose account exists, one document delivered to him, one
    delivery still under way, one never addressed to him; a counsel and a stranger."""
    with transaction(database.sessions) as session:
        case = factories.create_case(session)
        party = factories.add_party(session, case)
        party.national_id = SUSPECT_ID
        _participant(session, "ds.khanh", "Đặng Quốc Khánh", SUSPECT_ID)
        _participant(session, "ls.huong", "Ngô Thị Hường", COUNSEL_ID)
        _participant(session, "ds.giang", "Vũ Thị Giang", STRANGER_ID)
        delivered = _pdf_document(session, case, blobs, "Lệnh triệu tập")
        pending = _pdf_document(session, case, blobs, "Quyết định khởi tố bị can")
        undelivered = _pdf_document(session, case, blobs, "Biên bản ghi lời khai")
        _recipient(session, delivered, party, RecipientStatus.DELIVERED_ELECTRONIC)
        _recipient(session, pending, party, RecipientStatus.DELIVERING_ELECTRONIC)
        return File(case.code, party.code, delivered.code, undelivered.code, pending.code)


def _account(database: Database, username: str) -> User:
    with transaction(database.sessions) as session:
        return factories.user(session, username)


def _events(database: Database, action: str, code: str) -> list[AuditEvent]:
    with transaction(database.sessions) as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == action, AuditEvent.object_code == code)
                .order_by(AuditEvent.seq)
            )
        )


def _chain_intact(database: Database) -> None:
    with transaction(database.sessions) as session:
        count, broken = verify_chain(session)
    assert broken is None and count > 0


def test_participant_sees_only_what_was_delivered_to_them(database: Database, file: File) -> None:
    suspect = _account(database, "ds.khanh")
    (case,) = list_participant_cases(database.sessions, actor=suspect)
    assert case.case.code == file.case_code
    assert [s.party.code for s in case.standings] == [file.party_code]
    assert [d.document.code for d in case.documents] == [file.delivered]

    listed = list_participant_documents(database.sessions, actor=suspect, case_code=file.case_code)
    assert [d.document.code for d in listed.documents] == [file.delivered]
    assert listed.documents[0].standing.label == "người bị giữ, bị bắt, bị tạm giữ"

    for hidden in (file.undelivered, file.pending):
        with pytest.raises(NotFound) as refused:
            read_participant_document(database.sessions, actor=suspect, code=hidden)
        assert refused.value.failure_message == f"no document {hidden}"
        assert [e.actor for e in _events(database, "document.participant_refused", hidden)] == [
            "ds.khanh"
        ]
    _chain_intact(database)


def test_refusal_reads_exactly_like_a_document_that_does_not_exist(
    database: Database, file: File
) -> None:
    suspect = _account(database, "ds.khanh")
    number = int(file.delivered.split("-D")[1].split("-")[0])
    missing = str(parse_case_code(file.case_code).extend(ExtensionKind.DOCUMENT, number + 50))
    messages = []
    for code in (missing, file.undelivered):
        with pytest.raises(NotFound) as refused:
            take_participant_document(
                database.sessions,
                actor=suspect,
                code=code,
                kind=AccessKind.DOWNLOAD,
                blobs=FileBlobStore(Path("/nonexistent")),
            )
        messages.append((refused.value.failure_message.replace(code, "X"), refused.value.field))
    assert messages[0] == messages[1] == ("no document X", "code")
    with pytest.raises(InvalidCode):  # a mistyped code is a 422, as for officers
        read_participant_document(database.sessions, actor=suspect, code=file.delivered[:-1] + "0")


def test_another_case_participant_and_officers_are_refused(database: Database, file: File) -> None:
    stranger = _account(database, "ds.giang")
    assert list_participant_cases(database.sessions, actor=stranger) == []
    with pytest.raises(NotFound):
        list_participant_documents(database.sessions, actor=stranger, case_code=file.case_code)
    with pytest.raises(NotFound):
        read_participant_document(database.sessions, actor=stranger, code=file.delivered)
    assert [e.action for e in _events(database, "case.participant_refused", file.case_code)] == [
        "case.participant_refused"
    ]
    with pytest.raises(NotPermitted):  # an officer's account is not a participant's
        read_participant_document(
            database.sessions, actor=_account(database, "dtv.an"), code=file.delivered
        )


def test_views_copies_and_downloads_are_logged_and_counted(
    database: Database, file: File, blobs: FileBlobStore
) -> None:
    suspect = _account(database, "ds.khanh")
    with transaction(database.sessions) as session:
        stored = session.scalars(select(Document).where(Document.code == file.delivered)).one()
        original = blobs.get(stored.sha256)

    for kind in (AccessKind.VIEW, AccessKind.VIEW, AccessKind.DOWNLOAD):
        seen, data = take_participant_document(
            database.sessions, actor=suspect, code=file.delivered, kind=kind, blobs=blobs
        )
        assert data == original
    copied, copy = copy_participant_document(
        database.sessions, actor=suspect, code=file.delivered, blobs=blobs, font_file=SERIF_REGULAR
    )
    assert copied.counts == {AccessKind.VIEW: 2, AccessKind.COPY: 1, AccessKind.DOWNLOAD: 1}
    assert hashlib.sha256(blobs.get(stored.sha256)).hexdigest() == stored.sha256
    assert copy.startswith(original) and copy != original

    (event,) = _events(database, "document.participant_copied", file.delivered)
    details = event.details
    assert hashlib.sha256(copy).hexdigest() in details and file.party_code in details
    text = _pdftotext(copy)
    expected = (
        "BẢN SAO do Đặng Quốc Khánh (người bị giữ, bị bắt, bị tạm giữ) sao lúc "
        f"{format_vn_time(event.occurred_at)}, tài khoản ds.khanh"
    )
    assert text.count(expected) == 2  # every page

    assert len(_events(database, "document.participant_viewed", file.delivered)) == 2
    assert len(_events(database, "document.participant_downloaded", file.delivered)) == 1
    with transaction(database.sessions) as session:
        summary = participant_access_summary(
            session, actor=factories.user(session, "ptt.tuan"), case_code=file.case_code
        )
    rows = {(r.object_code, r.actor, r.action): r.count for r in summary.counts}
    assert rows == {
        (file.delivered, "ds.khanh", "document.participant_viewed"): 2,
        (file.delivered, "ds.khanh", "document.participant_downloaded"): 1,
        (file.delivered, "ds.khanh", "document.participant_copied"): 1,
    }
    assert summary.people["ds.khanh"].full_name == "Đặng Quốc Khánh"
    _chain_intact(database)


def test_counsel_sees_what_the_party_sees_until_unlinked(database: Database, file: File) -> None:
    counsel = _account(database, "ls.huong")
    assert list_participant_cases(database.sessions, actor=counsel) == []
    with transaction(database.sessions) as session:
        officer = factories.user(session, "dtv.an")
        case = get_case_by_code(session=session, code=file.case_code)
        link, _ = link_counsel(
            session,
            actor=officer,
            case=case,
            party_code=file.party_code,
            national_id=COUNSEL_ID,
            capacity=PartyRole.DEFENCE_COUNSEL,
            at=datetime.now(UTC),
        )
        link_id = link.id
    seen = read_participant_document(database.sessions, actor=counsel, code=file.delivered)
    assert seen.standing.capacity == "defence_counsel"
    assert seen.standing.label == (
        "người bào chữa của người bị giữ, bị bắt, bị tạm giữ Đặng Quốc Khánh"
    )
    with pytest.raises(NotFound):
        read_participant_document(database.sessions, actor=counsel, code=file.undelivered)

    with transaction(database.sessions) as session:
        case = get_case_by_code(session=session, code=file.case_code)
        unlink_counsel(
            session,
            actor=factories.user(session, "dtv.an"),
            case=case,
            party_code=file.party_code,
            link_id=link_id,
            at=datetime.now(UTC),
        )
    with pytest.raises(NotFound):
        read_participant_document(database.sessions, actor=counsel, code=file.delivered)
    assert [e.action for e in _events(database, "party.counsel_linked", file.party_code)] == [
        "party.counsel_linked"
    ]
    assert len(_events(database, "party.counsel_unlinked", file.party_code)) == 1


def test_shared_document_is_visible_until_unshared(database: Database, file: File) -> None:
    suspect = _account(database, "ds.khanh")
    with transaction(database.sessions) as session:
        share_document(
            session,
            actor=factories.user(session, "dtv.an"),
            code=file.undelivered,
            party_code=file.party_code,
            at=datetime.now(UTC),
        )
    seen = read_participant_document(database.sessions, actor=suspect, code=file.undelivered)
    assert seen.document.code == file.undelivered
    listed = list_participant_documents(database.sessions, actor=suspect, case_code=file.case_code)
    assert [d.document.code for d in listed.documents] == [file.delivered, file.undelivered]

    with transaction(database.sessions) as session:
        unshare_document(
            session,
            actor=factories.user(session, "dtv.an"),
            code=file.undelivered,
            party_code=file.party_code,
            at=datetime.now(UTC),
        )
    with pytest.raises(NotFound):
        read_participant_document(database.sessions, actor=suspect, code=file.undelivered)
    assert len(_events(database, "document.shared", file.undelivered)) == 1
    assert len(_events(database, "document.unshared", file.undelivered)) == 1


def test_classified_documents_are_neither_shared_nor_shown(database: Database, file: File) -> None:
    with transaction(database.sessions) as session:
        document = session.scalars(select(Document).where(Document.code == file.delivered)).one()
        document.secrecy = SecrecyLevel.CONFIDENTIAL
        with pytest.raises(NotPermitted):
            share_document(
                session,
                actor=factories.user(session, "dtv.an"),
                code=file.delivered,
                party_code=file.party_code,
                at=datetime.now(UTC),
            )
    with pytest.raises(NotFound):
        read_participant_document(
            database.sessions, actor=_account(database, "ds.khanh"), code=file.delivered
        )


def test_only_the_owning_agency_shares(database: Database, file: File) -> None:
    with transaction(database.sessions) as session:
        with pytest.raises(NotFound):
            share_document(
                session,
                actor=factories.user(session, "kiemsat.binh"),
                code=file.undelivered,
                party_code=file.party_code,
                at=datetime.now(UTC),
            )


def _pdftotext(pdf: bytes) -> str:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return re.sub(r"\s+", " ", text)
