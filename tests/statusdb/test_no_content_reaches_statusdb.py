"""The content test of art. 18(4): real flows through hoso's API (a case, parties with names
and national IDs, a summons issued and delivered electronically and on paper), the relay
publishing hoso's outbox to the common database, then every table of the common database
dumped: no party name, national ID, residence, account, case or document text, document
hash or file bytes is there, while every status change is."""

import hashlib
import unicodedata
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, MetaData, select
from sqlalchemy.orm import Session
from temporalio.client import Client

from activities.status_sync import StatusRelay, agency_keys
from casefile.blobstore import FileBlobStore
from casefile.doctypes import DocType
from casefile.models import Case, Document, Party, StatusOutboxEntry
from casefile.settings import Settings
from casefile.signing.runtime import SigningRuntime
from tests.api.conftest import hoso_stack
from tests.casefile.test_rendering import SAMPLES
from tests.conftest import Database
from tests.helpers import assert_eventually
from tests.statusdb.conftest import MASTER_SECRET, statusdb_app, statusdb_engine

AN = "001090000001"
"""Nguyễn Văn An in the simulator's population database, with account TK001090000001."""
KHANH = {
    "role": "suspect",
    "full_name": "Đặng Quốc Khánh",
    "birth_year": 1990,
    "residence": "số 7 ngõ Trạm, phường Hàng Bông, Hà Nội",
    "detained": True,
}
CASE = {
    "agency_code": "CSDTHN",
    "title": "Vụ trộm cắp xe mô tô tại nhà bà Nguyễn Thị Hoa",
    "summary": "Đêm 01/12/2026 kẻ gian phá khóa cổng lấy trộm xe mô tô Honda Wave biển 29X1-12345.",
    "offence": "Điều 173 Bộ luật Hình sự",
}


def dump(engine: Engine) -> list[tuple[str, dict[str, Any]]]:
    """Every row of every table of the common database, whatever tables it has."""
    tables = MetaData()
    tables.reflect(engine)
    with engine.connect() as connection:
        return [
            (table.name, dict(row._mapping))
            for table in tables.sorted_tables
            for row in connection.execute(select(table))
        ]


def unaccented(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def content_of(session: Session, blobs: FileBlobStore) -> tuple[set[str], list[bytes]]:
    """What must never reach the common database: people, texts, hashes and file bytes."""
    texts: set[str] = set()
    for party in session.scalars(select(Party)):
        texts |= {party.full_name, party.residence, party.national_id or "", party.e_account or ""}
    for case in session.scalars(select(Case)):
        texts |= {case.title, case.summary, case.offence}
    files: list[bytes] = []
    for document in session.scalars(select(Document)):
        texts |= {document.title, document.procedural_number or "", document.sha256}
        files.append(blobs.get(document.sha256))
    for value in SAMPLES[DocType.SUMMONS].values():
        texts |= set(value.values()) if isinstance(value, dict) else {value}
    texts = {t for t in texts if isinstance(t, str) and len(t) >= 6}
    return texts | {unaccented(t) for t in texts}, files


async def run_flows(
    api: httpx.AsyncClient, platforms: httpx.AsyncClient, simulator, user, decider=None
) -> None:
    """Open a case, move it, add two parties, issue a summons and deliver it both ways; with
    a ``decider`` of the procuracy, transfer the file there and accept it."""
    opened = await api.post("/api/v1/cases", json=CASE, headers=user)
    assert opened.status_code == 201, opened.text
    case = opened.json()["code"]
    moved = await api.post(
        f"/api/v1/cases/{case}/stage",
        json={"target": "investigation", "reason": "Có dấu hiệu tội phạm trộm cắp"},
        headers=user,
    )
    assert moved.status_code == 200, moved.text
    an = await api.post(
        f"/api/v1/cases/{case}/parties", json={"role": "victim", "national_id": AN}, headers=user
    )
    khanh = await api.post(f"/api/v1/cases/{case}/parties", json=KHANH, headers=user)
    assert an.status_code == khanh.status_code == 201, (an.text, khanh.text)
    parties = [an.json()["code"], khanh.json()["code"]]
    await platforms.put(f"/control/accounts/TK{AN}", json={"delivered_after_seconds": 0})
    issued = await api.post(
        f"/api/v1/cases/{case}/documents",
        json={
            "doc_type": DocType.SUMMONS.value,
            "fields": SAMPLES[DocType.SUMMONS],
            "recipients": parties,
        },
        headers=user,
    )
    assert issued.status_code == 201, issued.text
    document = issued.json()["code"]

    async def addressed() -> bool:
        detail = await api.get(f"/api/v1/documents/{document}", headers=user)
        return sorted(r["party_code"] for r in detail.json()["recipients"]) == sorted(parties)

    await assert_eventually(addressed, timeout=20)
    started = await api.post(
        f"/api/v1/documents/{document}/deliveries", json={"party_codes": parties}, headers=user
    )
    assert started.status_code == 201, started.text
    paper = next(d for d in started.json() if d["party_code"] == parties[1])

    async def progress() -> dict[str, dict]:
        await simulator.state.simulator.pump_webhooks()
        found = (await api.get(f"/api/v1/documents/{document}/deliveries", headers=user)).json()
        return {d["party_code"]: d["progress"] or {} for d in found}

    async def paper_awaits_receipt() -> bool:
        return (await progress()).get(parties[1], {}).get("awaiting") == "paper_receipt"

    await assert_eventually(paper_awaits_receipt, timeout=30)
    receipt = await api.post(
        f"/api/v1/deliveries/{paper['workflow_id']}/paper-receipt",
        json={"signed_at": "2026-12-04T09:00:00+07:00", "received_by": KHANH["full_name"]},
        headers=user,
    )
    assert receipt.status_code == 200, receipt.text

    async def both_delivered() -> bool:
        statuses = {code: p.get("status") for code, p in (await progress()).items()}
        return statuses == {parties[0]: "delivered_electronic", parties[1]: "delivered_paper"}

    await assert_eventually(both_delivered, timeout=30)
    if decider is None:
        return
    sent = await api.post(  # the file goes to the procuracy, which accepts it (art. 9(1)-(3))
        f"/api/v1/cases/{case}/transfers",
        json={"kind": "investigation_conclusion", "to_agency_code": "VKSHN"},
        headers=user,
    )
    assert sent.status_code == 201, sent.text
    transfer = sent.json()["transfer_id"]

    async def checked() -> bool:
        found = await api.get(f"/api/v1/transfers/{transfer}", headers=decider)
        return found.status_code == 200 and any(s["state"] == "checked" for s in found.json())

    await assert_eventually(checked, timeout=60)
    accepted = await api.post(
        f"/api/v1/transfers/{transfer}/decision", json={"decision": "accept"}, headers=decider
    )
    assert accepted.status_code == 200, accepted.text

    async def sender_knows() -> bool:
        found = await api.get(f"/api/v1/transfers/{transfer}", headers=user)
        return [side["state"] for side in found.json()] == ["accepted"]

    await assert_eventually(sender_knows, timeout=60)


async def test_no_content_field_ever_reaches_the_common_database(
    database: Database,
    settings: Settings,
    temporal: Client,
    signing: SigningRuntime,
    demo_tokens: dict[str, str],
    tmp_path: Path,
) -> None:
    user = {"Authorization": f"Bearer {demo_tokens['dtv.an']}"}
    async with hoso_stack(settings, temporal, signing, tmp_path / "sim") as stack:
        decider = {"Authorization": f"Bearer {demo_tokens['kiemsat.binh']}"}
        await run_flows(stack.hoso, stack.platforms, stack.simulator, user, decider)

    with statusdb_engine(database.kind, tmp_path) as engine:
        app = statusdb_app(engine, tmp_path)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://statusdb") as client:
            relay = StatusRelay(database.sessions, client, agency_keys(MASTER_SECRET, {}))
            while await relay.drain_once():
                pass
        with database.sessions() as session:
            unsent = session.scalars(
                select(StatusOutboxEntry).where(StatusOutboxEntry.sent_at.is_(None))
            ).all()
            assert unsent == []
            forbidden, files = content_of(session, FileBlobStore(settings.effective_blob_dir))
        rows = dump(engine)

    published = {(row["kind"], row["status"]) for table, row in rows if table == "status_records"}
    assert {
        ("case", "opened"),
        ("stage", "investigation"),
        ("document", "registered"),
        ("delivery", "delivering_electronic"),
        ("delivery", "delivered_electronic"),
        ("delivery", "awaiting_paper_receipt"),
        ("delivery", "delivered_paper"),
        ("transfer", "sent"),
        ("transfer", "received"),
        ("transfer", "accepted"),
    } <= published
    assert "Nguyễn Văn An" in forbidden and AN in forbidden and len(files) >= 1
    for table, row in rows:
        for column, value in row.items():
            assert not isinstance(value, bytes | bytearray | memoryview), (table, column)
            text = str(value)
            assert len(text) <= 60, (table, column, text)
            for secret in forbidden:
                assert secret.casefold() not in text.casefold(), (table, column, secret)
    if database.kind == "sqlite":  # the file itself, freed pages and the WAL included
        raw = b"".join(p.read_bytes() for p in tmp_path.glob("statusdb.sqlite3*"))
        for secret in forbidden:
            assert secret.encode() not in raw, secret
        for content in files:
            assert (
                content[:64] not in raw and hashlib.sha256(content).hexdigest().encode() not in raw
            )
