"""What the simulated platforms do, apart from HTTP routing.

Every mutating operation runs in one SQLite transaction together with its idempotency
record, so a key either has its stored result or nothing happened. Pending webhooks are
rows of the ``events`` table (an outbox) that :meth:`Simulator.pump_webhooks` sends until
hoso answers 2xx; they survive a restart.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import random
import secrets
import sqlite3
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

import anyio.to_thread
import httpx

from platforms.simulator.clock import DAY_SECONDS, Clock, LegalCalendar
from platforms.simulator.printouts import render_printout
from platforms.simulator.seed import AccountStatus, seed
from platforms.simulator.store import Store
from platforms.simulator.webhooks import (
    EVENT_ID_HEADER,
    PLATFORM_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign_body,
)

__all__ = [
    "ACCOUNT_PLATFORMS",
    "WEBHOOK_PLATFORMS",
    "Accepted",
    "Platform",
    "PlatformError",
    "Simulator",
    "SimulatorConfig",
]

log = logging.getLogger("platforms.simulator")

FIRST_ISSUE_DATE = date(2000, 1, 1)
"""The newspaper's issue number N appears on FIRST_ISSUE_DATE + (N - 1) days."""
ISSUE_PUBLISHED_AT = time(5, 0)
_ACCOUNT_BY_ID = "SELECT * FROM accounts WHERE account_id = ?"
NOTICES_PER_PAGE = 6
FIRST_NOTICE_PAGE = 8


class Platform(StrEnum):
    VNEID = "vneid"
    EGOV = "egov"
    NDC = "ndc"
    PORTAL = "portal"
    NEWSPAPER = "newspaper"
    RADIO = "radio"
    TV = "tv"
    POPULATION = "population"


ACCOUNT_PLATFORMS = (Platform.VNEID, Platform.EGOV)
WEBHOOK_PLATFORMS = (Platform.VNEID, Platform.EGOV, Platform.NDC)

PLATFORM_NAMES: dict[Platform, str] = {
    Platform.VNEID: "Ứng dụng định danh điện tử quốc gia VNeID (mô phỏng)",
    Platform.EGOV: "Cổng Dịch vụ công quốc gia (mô phỏng)",
    Platform.NDC: "Ứng dụng dùng chung tại Trung tâm dữ liệu quốc gia (mô phỏng)",
    Platform.PORTAL: "Cổng thông tin điện tử của cơ quan tiến hành tố tụng (mô phỏng)",
    Platform.NEWSPAPER: "Báo Pháp luật Trung ương (mô phỏng)",
    Platform.RADIO: "Đài Tiếng nói Quốc gia (mô phỏng)",
    Platform.TV: "Đài Truyền hình Quốc gia (mô phỏng)",
    Platform.POPULATION: "Cơ sở dữ liệu quốc gia về dân cư (mô phỏng)",
}

_PROGRAMME = "Thời sự — Thông báo của cơ quan tiến hành tố tụng"
BROADCAST_SLOTS: dict[Platform, tuple[str, str, tuple[time, ...]]] = {
    Platform.RADIO: ("VOV1", _PROGRAMME, (time(6), time(12), time(18))),
    Platform.TV: ("VTV1", _PROGRAMME, (time(6, 30), time(12), time(19))),
}

BASE_STAGE = {
    "delivery": "accepted",
    "notification": "posted",
    "notice": "published",
    "publication": "published",
    "broadcast": "broadcast",
}

ACCOUNT_STAGE_HEADINGS = {
    "accepted": "XÁC NHẬN TIẾP NHẬN VĂN BẢN ĐỂ GỬI ĐẾN TÀI KHOẢN GIAO DỊCH ĐIỆN TỬ",
    "posted": "XÁC NHẬN ĐÃ ĐĂNG THÔNG BÁO QUA CÁC NỀN TẢNG LIÊN KẾT",
    "delivered": "XÁC NHẬN VĂN BẢN ĐÃ GỬI THÀNH CÔNG ĐẾN TÀI KHOẢN VÀ CÓ THỂ TRUY CẬP",
    "opened": "XÁC NHẬN NGƯỜI NHẬN ĐÃ MỞ VĂN BẢN",
    "confirmed": "XÁC NHẬN NGƯỜI NHẬN ĐÃ XÁC NHẬN NHẬN VĂN BẢN",
}


class PlatformError(Exception):
    """A platform's error answer; ``definitive`` means retrying cannot help."""

    def __init__(
        self,
        status_code: int,
        error: str,
        message: str,
        *,
        definitive: bool = False,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error = error
        self.message = message
        self.definitive = definitive
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "message": self.message, "definitive": self.definitive}


@dataclass(frozen=True)
class SimulatorConfig:
    """Settings of one simulator instance."""

    webhook_url: str | None = None
    """Where webhooks go; ``{platform}`` in it is replaced by the platform name."""
    webhook_secrets: Mapping[str, bytes] = field(default_factory=dict)
    """Per-platform HMAC secrets (see :mod:`platforms.simulator.webhooks`)."""
    public_url: str | None = None
    """Base of the links in evidence; default: the URL the request came to."""
    day_seconds: float = DAY_SECONDS
    """Real seconds in one legal day (accelerated demo calendar when < 86400)."""
    seed: int = 0
    """Seed of the per-platform random generators (error rates)."""
    webhook_backoff_base: float = 0.5
    webhook_backoff_cap: float = 60.0
    webhook_poll_seconds: float = 0.1
    webhook_timeout_seconds: float = 5.0


@dataclass(frozen=True)
class Accepted:
    """The stored result of an idempotent call."""

    status_code: int
    body: dict[str, Any]
    replayed: bool


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def _utc_iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _from_ts(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _request_digest(request: Mapping[str, Any]) -> str:
    canonical = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class Simulator:
    """The state and behaviour of all simulated platforms."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock,
        config: SimulatorConfig,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self._webhook_transport = webhook_transport
        self._http: httpx.AsyncClient | None = None
        self._rngs: dict[str, random.Random] = {}
        self._pump_lock = asyncio.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}
        """Per platform: (tokens left, when counted) of its capacity's token bucket."""
        self._refusals: Counter[tuple[str, str]] = Counter()
        """Calls refused by an outage or the capacity, per (platform, error); in memory only."""
        with store.transaction() as db:
            seed(db)
            self.calendar = self._load_calendar(db)

    # -- set-up ---------------------------------------------------------------------------

    def _load_calendar(self, db: sqlite3.Connection) -> LegalCalendar:
        now = self.clock.now()
        row = db.execute("SELECT value FROM meta WHERE key = 'calendar'").fetchone()
        if row is None:
            calendar = LegalCalendar.starting_at(now, self.config.day_seconds)
        else:
            stored = json.loads(row["value"])
            calendar = LegalCalendar(
                datetime.fromisoformat(stored["anchor"]),
                datetime.fromisoformat(stored["anchor_legal"]),
                stored["day_seconds"],
            )
            if calendar.day_seconds == self.config.day_seconds:
                return calendar
            calendar = calendar.rebased(now, self.config.day_seconds)
        value = {
            "anchor": calendar.anchor.isoformat(),
            "anchor_legal": calendar.anchor_legal.isoformat(),
            "day_seconds": calendar.day_seconds,
        }
        db.execute("INSERT OR REPLACE INTO meta VALUES ('calendar', ?)", (json.dumps(value),))
        return calendar

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def close(self) -> None:
        self.store.close()

    # -- time -----------------------------------------------------------------------------

    def legal_iso(self, instant: datetime) -> str:
        return self.calendar.legal(instant).isoformat(timespec="seconds")

    def today(self) -> date:
        return self.calendar.day(self.clock.now())

    # -- outages --------------------------------------------------------------------------

    def _rng(self, platform: str) -> random.Random:
        if platform not in self._rngs:
            self._rngs[platform] = random.Random(f"{self.config.seed}/{platform}")
        return self._rngs[platform]

    def outage(self, platform: str) -> dict[str, Any] | None:
        with self.store.reading() as db:
            row = db.execute("SELECT * FROM outages WHERE platform = ?", (platform,)).fetchone()
        return None if row is None else self._outage_json(row)

    def _outage_json(self, row: sqlite3.Row) -> dict[str, Any]:
        down_until = row["down_until"]
        now = self.clock.now().timestamp()
        return {
            "platform": row["platform"],
            "down": down_until is not None and now < down_until,
            "down_until": None if down_until is None else _utc_iso(_from_ts(down_until)),
            "error_rate": row["error_rate"],
            "lost_reply_rate": row["lost_reply_rate"],
            "latency_ms": row["latency_ms"],
            "reject": bool(row["reject"]),
            "reject_reason": row["reject_reason"],
            "seed": row["seed"],
        }

    async def guard(self, platform: str) -> None:
        """Apply the platform's outage to a call: latency, 503, definitive 422, random 500."""
        try:
            await self._apply_outage(platform)
        except PlatformError as refusal:
            self._refusals[(platform, refusal.error)] += 1
            raise

    async def _apply_outage(self, platform: str) -> None:
        with self.store.reading() as db:
            row = db.execute("SELECT * FROM outages WHERE platform = ?", (platform,)).fetchone()
        if row is None:
            return
        if row["latency_ms"]:
            await asyncio.sleep(row["latency_ms"] / 1000)
        now = self.clock.now().timestamp()
        if row["down_until"] is not None and now < row["down_until"]:
            raise PlatformError(
                503,
                "platform_down",
                f"{platform} is down (simulated outage)",
                retry_after=max(1, math.ceil(row["down_until"] - now)),
            )
        if row["reject"]:
            reason = row["reject_reason"] or "the platform refuses the request"
            raise PlatformError(422, "rejected", reason, definitive=True)
        if row["error_rate"] and self._rng(platform).random() < row["error_rate"]:
            raise PlatformError(500, "internal_error", f"{platform} failed (simulated error)")

    def reply_lost(self, platform: str) -> bool:
        """Whether to lose the reply of a call that succeeded (draws only when configured)."""
        with self.store.reading() as db:
            row = db.execute(
                "SELECT lost_reply_rate FROM outages WHERE platform = ?", (platform,)
            ).fetchone()
        if row is None or not row["lost_reply_rate"]:
            return False
        return self._rng(platform).random() < row["lost_reply_rate"]

    def set_outage(self, platform: str, outage: Mapping[str, Any]) -> dict[str, Any]:
        now = self.clock.now().timestamp()
        down_for = outage["down_for_seconds"]
        with self.store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO outages (platform, down_until, error_rate, lost_reply_rate,"
                " latency_ms, reject, reject_reason, seed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    platform,
                    now + down_for if down_for else None,
                    outage["error_rate"],
                    outage["lost_reply_rate"],
                    outage["latency_ms"],
                    int(outage["reject"]),
                    outage["reject_reason"],
                    outage["seed"],
                ),
            )
            row = db.execute("SELECT * FROM outages WHERE platform = ?", (platform,)).fetchone()
        if outage["seed"] is not None:
            self._rngs[platform] = random.Random(outage["seed"])
        return self._outage_json(row)

    def clear_outage(self, platform: str) -> None:
        with self.store.transaction() as db:
            db.execute("DELETE FROM outages WHERE platform = ?", (platform,))

    def refusals(self) -> dict[str, dict[str, int]]:
        """How many calls each platform refused since the start, per error (``platform_down``,
        ``platform_busy``, ``rejected``, ``internal_error``): the attempts a client wasted."""
        counts: dict[str, dict[str, int]] = {}
        for (platform, error), count in list(self._refusals.items()):
            counts.setdefault(platform, {})[error] = count
        return counts

    # -- capacity -------------------------------------------------------------------------

    def capacity(self, platform: str) -> dict[str, Any] | None:
        with self.store.reading() as db:
            row = db.execute("SELECT * FROM capacities WHERE platform = ?", (platform,)).fetchone()
        return None if row is None else dict(row)

    def set_capacity(self, platform: str, capacity: Mapping[str, Any]) -> dict[str, Any]:
        """Accept at most ``per_second`` creating calls per second (bursts up to ``burst``,
        default one second's worth); beyond it the platform is busy."""
        per_second = float(capacity["per_second"])
        burst = float(capacity.get("burst") or max(1.0, per_second))
        with self.store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO capacities (platform, per_second, burst) VALUES (?, ?, ?)",
                (platform, per_second, burst),
            )
        self._buckets.pop(platform, None)  # a new capacity starts with a full bucket
        return {"platform": platform, "per_second": per_second, "burst": burst}

    def clear_capacity(self, platform: str) -> None:
        with self.store.transaction() as db:
            db.execute("DELETE FROM capacities WHERE platform = ?", (platform,))
        self._buckets.pop(platform, None)

    def admit(self, platform: str) -> None:
        """Take one call from the platform's capacity (a token bucket on the simulator's
        clock), or refuse it with a retryable 503 ``platform_busy``, as an overloaded platform
        would. Called for the calls that create something; reads are not limited."""
        capacity = self.capacity(platform)
        if capacity is None:
            return
        now = self.clock.now().timestamp()
        tokens, counted_at = self._buckets.get(platform, (capacity["burst"], now))
        tokens = min(capacity["burst"], tokens + (now - counted_at) * capacity["per_second"])
        if tokens < 1:
            self._buckets[platform] = (tokens, now)
            self._refusals[(platform, "platform_busy")] += 1
            wait = (1 - tokens) / capacity["per_second"]
            raise PlatformError(
                503,
                "platform_busy",
                f"{platform} is busy: over its capacity of {capacity['per_second']:g} calls/s",
                retry_after=max(1, math.ceil(wait)),
            )
        self._buckets[platform] = (tokens - 1, now)

    # -- idempotency ----------------------------------------------------------------------

    def _idempotent(
        self,
        *,
        platform: str,
        operation: str,
        key: str,
        request: Mapping[str, Any],
        status_code: int,
        perform: Callable[[sqlite3.Connection, datetime], tuple[str, dict[str, Any]]],
    ) -> Accepted:
        digest = _request_digest(request)
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT request_sha256, status_code, response FROM calls"
                " WHERE platform = ? AND operation = ? AND idempotency_key = ?",
                (platform, operation, key),
            ).fetchone()
            if row is not None:
                if row["request_sha256"] != digest:
                    raise PlatformError(
                        409,
                        "idempotency_key_reused",
                        "Idempotency-Key was already used with a different request body",
                        definitive=True,
                    )
                db.execute(
                    "UPDATE calls SET replays = replays + 1"
                    " WHERE platform = ? AND operation = ? AND idempotency_key = ?",
                    (platform, operation, key),
                )
                return Accepted(row["status_code"], json.loads(row["response"]), True)
            now = self.clock.now()
            subject_id, body = perform(db, now)
            db.execute(
                "INSERT INTO calls (platform, operation, idempotency_key, request_sha256,"
                " status_code, response, subject_id, accepted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    platform,
                    operation,
                    key,
                    digest,
                    status_code,
                    json.dumps(body, ensure_ascii=False),
                    subject_id,
                    _utc_iso(now),
                ),
            )
            return Accepted(status_code, body, False)

    def call_log(
        self, *, platform: str | None = None, operation: str | None = None
    ) -> list[dict[str, Any]]:
        """Every accepted (first-time) call, oldest first, with how often it was replayed."""
        query = "SELECT * FROM calls WHERE 1 = 1"
        params: list[str] = []
        if platform:
            query += " AND platform = ?"
            params.append(platform)
        if operation:
            query += " AND operation = ?"
            params.append(operation)
        with self.store.reading() as db:
            rows = db.execute(query + " ORDER BY seq", params).fetchall()
        return [
            {
                "seq": row["seq"],
                "accepted_at": row["accepted_at"],
                "platform": row["platform"],
                "operation": row["operation"],
                "idempotency_key": row["idempotency_key"],
                "subject_id": row["subject_id"],
                "status_code": row["status_code"],
                "replays": row["replays"],
            }
            for row in rows
        ]

    # -- subjects and evidence ------------------------------------------------------------

    @staticmethod
    def _insert_subject(
        db: sqlite3.Connection,
        *,
        subject_id: str,
        platform: str,
        kind: str,
        now: datetime,
        data: dict[str, Any],
        day: date | None = None,
        issue_number: int | None = None,
    ) -> None:
        db.execute(
            "INSERT INTO subjects (id, platform, kind, created_at, day, issue_number, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                subject_id,
                platform,
                kind,
                now.timestamp(),
                None if day is None else day.isoformat(),
                issue_number,
                json.dumps(data, ensure_ascii=False),
            ),
        )

    @staticmethod
    def _subject_row(
        db: sqlite3.Connection, platform: str, kind: str, subject_id: str
    ) -> sqlite3.Row:
        row = db.execute(
            "SELECT * FROM subjects WHERE id = ? AND platform = ? AND kind = ?",
            (subject_id, platform, kind),
        ).fetchone()
        if row is None:
            raise PlatformError(404, "not_found", f"no {kind} {subject_id} on {platform}")
        return row

    def _issue_evidence(
        self,
        db: sqlite3.Connection,
        *,
        subject_id: str,
        subject_url: str,
        platform: Platform,
        stage: str,
        now: datetime,
        heading: str,
        facts: dict[str, Any],
        printed: list[tuple[str, object]],
        text: str | None = None,
    ) -> dict[str, Any]:
        """Render, store and return the evidence record of one stage of a subject."""
        pdf = render_printout(
            issuer=PLATFORM_NAMES[platform],
            heading=heading,
            facts=[*printed, ("Thời điểm lập xác nhận", self.legal_iso(now))],
            text=text,
        )
        record = {
            "evidence_id": f"{subject_id}.{stage}",
            "subject_id": subject_id,
            "platform": platform.value,
            "provider": PLATFORM_NAMES[platform],
            "stage": stage,
            "heading": heading,
            "issued_at": self.legal_iso(now),
            "facts": facts,
            "pdf_url": f"{subject_url}/evidence.pdf?stage={stage}",
            "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
            "pdf_size": len(pdf),
        }
        db.execute(
            "INSERT INTO evidence (subject_id, stage, record, pdf) VALUES (?, ?, ?, ?)",
            (subject_id, stage, json.dumps(record, ensure_ascii=False), pdf),
        )
        return record

    def _events(self, db: sqlite3.Connection, subject_id: str, now: datetime) -> list[sqlite3.Row]:
        return db.execute(
            "SELECT * FROM events WHERE subject_id = ? AND occurred_at <= ? ORDER BY seq",
            (subject_id, now.timestamp()),
        ).fetchall()

    def subject(self, platform: str, kind: str, subject_id: str) -> dict[str, Any]:
        """The public record of a subject; account subjects with their status and events."""
        now = self.clock.now()
        with self.store.reading() as db:
            row = self._subject_row(db, platform, kind, subject_id)
            data = json.loads(row["data"])
            if kind in ("delivery", "notification"):
                events = self._events(db, subject_id, now)
                data["status"] = events[-1]["type"] if events else BASE_STAGE[kind]
                data["accessible"] = any(event["type"] == "delivered" for event in events)
                data["events"] = [self._event_json(event) for event in events]
            elif kind == "broadcast":
                broadcast_at = datetime.fromisoformat(data["broadcast_at"])
                aired = self.calendar.legal(now) >= broadcast_at
                data["status"] = "broadcast" if aired else "scheduled"
        return data

    def _event_json(self, event: sqlite3.Row) -> dict[str, Any]:
        sent_at = event["sent_at"]
        return {
            "event_id": event["event_id"],
            "type": event["type"],
            "occurred_at": self.legal_iso(_from_ts(event["occurred_at"])),
            "webhook": {
                "state": event["state"],
                "attempts": event["attempts"],
                "sent_at": sent_at and _utc_iso(_from_ts(sent_at)),
                "last_error": event["last_error"],
            },
        }

    def evidence(
        self, platform: Platform, kind: str, subject_id: str, stage: str | None = None
    ) -> tuple[dict[str, Any], bytes]:
        """The evidence of a stage (default: the latest reached), rendered on first request."""
        now = self.clock.now()
        with self.store.transaction() as db:
            row = self._subject_row(db, platform, kind, subject_id)
            reached = [BASE_STAGE[kind]]
            if kind in ("delivery", "notification"):
                reached += [event["type"] for event in self._events(db, subject_id, now)]
            wanted = stage or reached[-1]
            if wanted not in reached:
                raise PlatformError(
                    404, "stage_not_reached", f"{subject_id} has not reached stage {wanted!r}"
                )
            stored = db.execute(
                "SELECT record, pdf FROM evidence WHERE subject_id = ? AND stage = ?",
                (subject_id, wanted),
            ).fetchone()
            if stored is not None:
                return json.loads(stored["record"]), bytes(stored["pdf"])
            if kind not in ("delivery", "notification"):
                raise PlatformError(500, "evidence_missing", f"no evidence for {subject_id}")
            data = json.loads(row["data"])
            events = {event["type"]: event for event in self._events(db, subject_id, now)}
            record = self._account_evidence(db, platform, data, wanted, events, now)
            stored = db.execute(
                "SELECT pdf FROM evidence WHERE subject_id = ? AND stage = ?",
                (subject_id, wanted),
            ).fetchone()
            return record, bytes(stored["pdf"])

    def _account_evidence(
        self,
        db: sqlite3.Connection,
        platform: Platform,
        data: dict[str, Any],
        stage: str,
        events: Mapping[str, sqlite3.Row],
        now: datetime,
    ) -> dict[str, Any]:
        subject_id = data.get("delivery_id") or data["notification_id"]
        facts: dict[str, Any] = {
            key: data.get(key)
            for key in ("account", "national_id", "document_code", "title", "pdf_sha256")
            if data.get(key) is not None
        }
        facts["accepted_at"] = data.get("accepted_at") or data.get("posted_at")
        order = ["delivered", "opened", "confirmed"]
        for event_type in order[: order.index(stage) + 1 if stage in order else 0]:
            if event_type in events:
                occurred = _from_ts(events[event_type]["occurred_at"])
                facts[f"{event_type}_at"] = self.legal_iso(occurred)
        labels = {
            "account": "Tài khoản giao dịch điện tử",
            "national_id": "Số định danh cá nhân",
            "document_code": "Mã văn bản",
            "title": "Tên văn bản",
            "pdf_sha256": "SHA-256 của văn bản",
            "accepted_at": "Thời điểm tiếp nhận",
            "delivered_at": "Thời điểm gửi thành công, có thể truy cập",
            "opened_at": "Thời điểm người nhận mở văn bản",
            "confirmed_at": "Thời điểm người nhận xác nhận",
        }
        printed: list[tuple[str, object]] = [("Mã giao dịch", subject_id)]
        printed += [(labels[key], value) for key, value in facts.items()]
        return self._issue_evidence(
            db,
            subject_id=subject_id,
            subject_url=data["url"],
            platform=platform,
            stage=stage,
            now=now,
            heading=ACCOUNT_STAGE_HEADINGS[stage],
            facts=facts,
            printed=printed,
        )

    # -- accounts (VNeID, e-government portal) ---------------------------------------------

    def _schedule_events(
        self,
        db: sqlite3.Connection,
        *,
        subject_id: str,
        platform: str,
        account: sqlite3.Row,
        now: datetime,
    ) -> None:
        if account["status"] != AccountStatus.ACTIVE:
            return  # "or never": a suspended or inactive account reports nothing
        delays = (
            ("delivered", account["delivered_after"]),
            ("opened", account["opened_after"]),
            ("confirmed", account["confirmed_after"]),
        )
        for seq, (event_type, after) in enumerate(delays):
            if after is None:
                break
            at = now.timestamp() + after
            db.execute(
                "INSERT INTO events (event_id, subject_id, platform, seq, type, occurred_at,"
                " next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_new_id("evt"), subject_id, platform, seq, event_type, at, at),
            )

    def create_delivery(
        self, platform: Platform, *, key: str, request: Mapping[str, Any], base_url: str
    ) -> Accepted:
        """Accept a document for an account (Joint Circular art. 9(4)(a), 20(1)(b))."""

        def perform(db: sqlite3.Connection, now: datetime) -> tuple[str, dict[str, Any]]:
            account = db.execute(
                "SELECT * FROM accounts WHERE account_id = ?", (request["account"],)
            ).fetchone()
            if account is None:
                raise PlatformError(
                    404,
                    "account_not_found",
                    f"no electronic transaction account {request['account']!r}",
                    definitive=True,
                )
            delivery_id = _new_id("dlv")
            url = f"{base_url}/{platform}/deliveries/{delivery_id}"
            data = {
                "delivery_id": delivery_id,
                "platform": platform.value,
                "account": request["account"],
                "document_code": request["document_code"],
                "title": request["title"],
                "pdf_sha256": request["pdf_sha256"],
                "pdf_url": request.get("pdf_url"),
                "pdf_attached": bool(request.get("pdf_base64")),
                "idempotency_key": key,
                "accepted_at": self.legal_iso(now),
                "url": url,
                "evidence_url": f"{url}/evidence",
            }
            self._insert_subject(
                db, subject_id=delivery_id, platform=platform, kind="delivery", now=now, data=data
            )
            self._schedule_events(
                db, subject_id=delivery_id, platform=platform, account=account, now=now
            )
            return delivery_id, {**data, "status": "accepted"}

        return self._idempotent(
            platform=platform,
            operation="deliveries.create",
            key=key,
            request=request,
            status_code=202,
            perform=perform,
        )

    # -- NDC common application ------------------------------------------------------------

    def create_ndc_notification(
        self, *, key: str, request: Mapping[str, Any], base_url: str
    ) -> Accepted:
        """Notify a person via linked platforms (Joint Circular art. 9(4)(a), 20(1)(c))."""

        def perform(db: sqlite3.Connection, now: datetime) -> tuple[str, dict[str, Any]]:
            person = db.execute(
                "SELECT * FROM people WHERE national_id = ?", (request["national_id"],)
            ).fetchone()
            if person is None:
                raise PlatformError(
                    404,
                    "person_not_found",
                    "no such person in the population database",
                    definitive=True,
                )
            account = None
            if person["account_id"] is not None:
                account = db.execute(
                    "SELECT * FROM accounts WHERE account_id = ?", (person["account_id"],)
                ).fetchone()
            if account is None:
                raise PlatformError(
                    404,
                    "no_linked_account",
                    "the person has no electronic transaction account on a linked platform",
                    definitive=True,
                )
            notification_id = _new_id("ndc")
            url = f"{base_url}/ndc/notifications/{notification_id}"
            day = self.calendar.day(now)
            data = {
                "notification_id": notification_id,
                "platform": Platform.NDC.value,
                "national_id": request["national_id"],
                "account": account["account_id"],
                "linked_platforms": [p.value for p in ACCOUNT_PLATFORMS],
                "document_code": request["document_code"],
                "title": request["title"],
                "pdf_sha256": request.get("pdf_sha256"),
                "agency": request.get("agency"),
                "idempotency_key": key,
                "posted_at": self.legal_iso(now),
                "day": day.isoformat(),
                "url": url,
                "evidence_url": f"{url}/evidence",
            }
            evidence = self._issue_evidence(
                db,
                subject_id=notification_id,
                subject_url=url,
                platform=Platform.NDC,
                stage="posted",
                now=now,
                heading=ACCOUNT_STAGE_HEADINGS["posted"],
                facts={k: data[k] for k in ("posted_at", "day", "url", "linked_platforms")},
                printed=[
                    ("Mã thông báo", notification_id),
                    ("Cơ quan yêu cầu", request.get("agency") or "—"),
                    ("Người được thông báo", f"{person['full_name']} ({person['birth_year']})"),
                    ("Nơi cư trú", person["residence"]),
                    ("Số định danh cá nhân", request["national_id"]),
                    ("Nền tảng liên kết", ", ".join(data["linked_platforms"])),
                    ("Mã văn bản", request["document_code"]),
                    ("Tên văn bản", request["title"]),
                    ("Thời điểm đăng", data["posted_at"]),
                    ("Đường dẫn truy cập", url),
                ],
                text=request.get("text"),
            )
            data["evidence"] = evidence
            self._insert_subject(
                db,
                subject_id=notification_id,
                platform=Platform.NDC,
                kind="notification",
                now=now,
                data=data,
                day=day,
            )
            self._schedule_events(
                db, subject_id=notification_id, platform=Platform.NDC, account=account, now=now
            )
            return notification_id, {**data, "status": "posted"}

        return self._idempotent(
            platform=Platform.NDC,
            operation="notifications.create",
            key=key,
            request=request,
            status_code=202,
            perform=perform,
        )

    # -- the agency's portal ---------------------------------------------------------------

    def create_notice(self, *, key: str, request: Mapping[str, Any], base_url: str) -> Accepted:
        """Post a notice on the agency's portal for one day (Joint Circular art. 20(1)(d))."""

        def perform(db: sqlite3.Connection, now: datetime) -> tuple[str, dict[str, Any]]:
            today = self.calendar.day(now)
            day = date.fromisoformat(request["date"]) if request.get("date") else today
            if day < today:
                raise PlatformError(
                    422, "date_in_past", f"date {day} is before today ({today})", definitive=True
                )
            if day > today + timedelta(days=31):
                raise PlatformError(
                    422, "date_too_far", f"date {day} is more than 31 days ahead", definitive=True
                )
            legal_now = self.calendar.legal(now).replace(microsecond=0)
            posted_at = legal_now if day == today else self.calendar.at(day, time(0))
            notice_id = _new_id("ntc")
            url = f"{base_url}/portal/notices/{notice_id}"
            data = {
                "notice_id": notice_id,
                "platform": Platform.PORTAL.value,
                "title": request["title"],
                "body": request["body"],
                "agency": request.get("agency"),
                "day": day.isoformat(),
                "posted_at": posted_at.isoformat(),
                "visible_from": posted_at.isoformat(),
                "visible_until": self.calendar.at(day, time(23, 59, 59)).isoformat(),
                "url": url,
                "evidence_url": f"{url}/evidence",
            }
            data["evidence"] = self._issue_evidence(
                db,
                subject_id=notice_id,
                subject_url=url,
                platform=Platform.PORTAL,
                stage="published",
                now=now,
                heading="BẢN IN THÔNG BÁO ĐĂNG TRÊN CỔNG THÔNG TIN ĐIỆN TỬ",
                facts={k: data[k] for k in ("url", "posted_at", "day", "visible_until")},
                printed=[
                    ("Mã bài đăng", notice_id),
                    ("Cơ quan đăng", request.get("agency") or "—"),
                    ("Tiêu đề", request["title"]),
                    ("Ngày đăng", day.isoformat()),
                    ("Thời điểm đăng", data["posted_at"]),
                    ("Hiển thị đến", data["visible_until"]),
                    ("Đường dẫn truy cập", url),
                ],
                text=request["body"],
            )
            self._insert_subject(
                db,
                subject_id=notice_id,
                platform=Platform.PORTAL,
                kind="notice",
                now=now,
                data=data,
                day=day,
            )
            return notice_id, data

        return self._idempotent(
            platform=Platform.PORTAL,
            operation="notices.create",
            key=key,
            request=request,
            status_code=201,
            perform=perform,
        )

    def notices_on(self, day: date) -> list[dict[str, Any]]:
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT data FROM subjects WHERE platform = 'portal' AND day = ?"
                " ORDER BY created_at",
                (day.isoformat(),),
            ).fetchall()
        return [json.loads(row["data"]) for row in rows]

    # -- the central daily newspaper -------------------------------------------------------

    @staticmethod
    def issue_number(issue_date: date) -> int:
        return (issue_date - FIRST_ISSUE_DATE).days + 1

    def create_publication(
        self, *, key: str, request: Mapping[str, Any], base_url: str
    ) -> Accepted:
        """Place a notice in the next daily issue (Joint Circular art. 20(1)(a))."""

        def perform(db: sqlite3.Connection, now: datetime) -> tuple[str, dict[str, Any]]:
            issue_date = self.calendar.day(now) + timedelta(days=1)
            issue_number = self.issue_number(issue_date)
            (position,) = db.execute(
                "SELECT count(*) FROM subjects WHERE platform = 'newspaper' AND issue_number = ?",
                (issue_number,),
            ).fetchone()
            publication_id = _new_id("pub")
            url = f"{base_url}/newspaper/publications/{publication_id}"
            published_at = self.calendar.at(issue_date, ISSUE_PUBLISHED_AT)
            data = {
                "publication_id": publication_id,
                "platform": Platform.NEWSPAPER.value,
                "newspaper": PLATFORM_NAMES[Platform.NEWSPAPER],
                "title": request.get("title"),
                "text": request["text"],
                "agency": request.get("agency"),
                "issue_number": issue_number,
                "issue_date": issue_date.isoformat(),
                "page": FIRST_NOTICE_PAGE + position // NOTICES_PER_PAGE,
                "published_at": published_at.isoformat(),
                "submitted_at": self.legal_iso(now),
                "url": url,
                "issue_url": f"{base_url}/newspaper/issues/{issue_number}",
                "evidence_url": f"{url}/evidence",
            }
            data["evidence"] = self._issue_evidence(
                db,
                subject_id=publication_id,
                subject_url=url,
                platform=Platform.NEWSPAPER,
                stage="published",
                now=now,
                heading="XÁC NHẬN ĐĂNG THÔNG BÁO TRÊN BÁO",
                facts={
                    k: data[k]
                    for k in ("issue_number", "issue_date", "page", "published_at", "url")
                },
                printed=[
                    ("Mã bài đăng", publication_id),
                    ("Cơ quan yêu cầu", request.get("agency") or "—"),
                    ("Số báo", issue_number),
                    ("Ngày phát hành", issue_date.isoformat()),
                    ("Trang", data["page"]),
                    ("Thời điểm phát hành", data["published_at"]),
                    ("Tiêu đề", request.get("title") or "—"),
                    ("Đường dẫn báo điện tử", url),
                ],
                text=request["text"],
            )
            self._insert_subject(
                db,
                subject_id=publication_id,
                platform=Platform.NEWSPAPER,
                kind="publication",
                now=now,
                data=data,
                day=issue_date,
                issue_number=issue_number,
            )
            return publication_id, data

        return self._idempotent(
            platform=Platform.NEWSPAPER,
            operation="publications.create",
            key=key,
            request=request,
            status_code=201,
            perform=perform,
        )

    def issue(self, issue_number: int) -> dict[str, Any]:
        issue_date = FIRST_ISSUE_DATE + timedelta(days=issue_number - 1)
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT data FROM subjects WHERE platform = 'newspaper' AND issue_number = ?"
                " ORDER BY created_at",
                (issue_number,),
            ).fetchall()
        return {
            "issue_number": issue_number,
            "issue_date": issue_date.isoformat(),
            "published_at": self.calendar.at(issue_date, ISSUE_PUBLISHED_AT).isoformat(),
            "publications": [json.loads(row["data"]) for row in rows],
        }

    # -- national radio and TV -------------------------------------------------------------

    def create_broadcast(
        self, platform: Platform, *, key: str, request: Mapping[str, Any], base_url: str
    ) -> Accepted:
        """Schedule a notice in the next bulletin (Joint Circular art. 20(1)(a))."""
        channel, programme, slots = BROADCAST_SLOTS[platform]

        def perform(db: sqlite3.Connection, now: datetime) -> tuple[str, dict[str, Any]]:
            legal_now = self.calendar.legal(now).replace(microsecond=0)
            candidates = [
                self.calendar.at(legal_now.date() + timedelta(days=offset), slot)
                for offset in (0, 1)
                for slot in slots
            ]
            broadcast_at = next(at for at in candidates if at > legal_now)
            broadcast_id = _new_id("brc")
            url = f"{base_url}/{platform}/broadcasts/{broadcast_id}"
            data = {
                "broadcast_id": broadcast_id,
                "platform": platform.value,
                "station": PLATFORM_NAMES[platform],
                "channel": channel,
                "programme": programme,
                "title": request.get("title"),
                "text": request["text"],
                "agency": request.get("agency"),
                "broadcast_at": broadcast_at.isoformat(),
                "broadcast_day": broadcast_at.date().isoformat(),
                "duration_seconds": max(60, math.ceil(len(request["text"]) / 15)),
                "submitted_at": legal_now.isoformat(),
                "url": url,
                "evidence_url": f"{url}/evidence",
            }
            data["evidence"] = self._issue_evidence(
                db,
                subject_id=broadcast_id,
                subject_url=url,
                platform=platform,
                stage="broadcast",
                now=now,
                heading="XÁC NHẬN PHÁT SÓNG THÔNG BÁO",
                facts={
                    k: data[k]
                    for k in ("channel", "programme", "broadcast_at", "duration_seconds", "url")
                },
                printed=[
                    ("Mã phát sóng", broadcast_id),
                    ("Cơ quan yêu cầu", request.get("agency") or "—"),
                    ("Kênh", channel),
                    ("Chương trình", programme),
                    ("Thời điểm phát sóng", data["broadcast_at"]),
                    ("Thời lượng (giây)", data["duration_seconds"]),
                    ("Đường dẫn", url),
                ],
                text=request["text"],
            )
            self._insert_subject(
                db,
                subject_id=broadcast_id,
                platform=platform,
                kind="broadcast",
                now=now,
                data=data,
                day=broadcast_at.date(),
            )
            return broadcast_id, data

        return self._idempotent(
            platform=platform,
            operation="broadcasts.create",
            key=key,
            request=request,
            status_code=201,
            perform=perform,
        )

    # -- national population database ------------------------------------------------------

    def person(self, national_id: str) -> dict[str, Any]:
        """Look a person up (Joint Circular art. 11(1): participants' data come from here)."""
        with self.store.reading() as db:
            row = db.execute(
                "SELECT p.*, a.status AS account_status FROM people p"
                " LEFT JOIN accounts a ON a.account_id = p.account_id WHERE p.national_id = ?",
                (national_id,),
            ).fetchone()
        if row is None:
            raise PlatformError(
                404,
                "person_not_found",
                f"no person with national ID {national_id}",
                definitive=True,
            )
        return {
            "national_id": row["national_id"],
            "full_name": row["full_name"],
            "birth_year": row["birth_year"],
            "residence": row["residence"],
            "has_account": row["account_status"] is not None,
            "account_id": row["account_id"] if row["account_status"] is not None else None,
            "account_status": row["account_status"],
        }

    # -- accounts control ------------------------------------------------------------------

    @staticmethod
    def _account_json(row: sqlite3.Row) -> dict[str, Any]:
        return {
            "account_id": row["account_id"],
            "national_id": row["national_id"],
            "status": row["status"],
            "delivered_after_seconds": row["delivered_after"],
            "opened_after_seconds": row["opened_after"],
            "confirmed_after_seconds": row["confirmed_after"],
        }

    def accounts(self) -> list[dict[str, Any]]:
        with self.store.reading() as db:
            rows = db.execute("SELECT * FROM accounts ORDER BY account_id").fetchall()
        return [self._account_json(row) for row in rows]

    def update_account(self, account_id: str, update: Mapping[str, Any]) -> dict[str, Any]:
        with self.store.transaction() as db:
            row = db.execute(_ACCOUNT_BY_ID, (account_id,)).fetchone()
            if row is None:
                raise PlatformError(404, "account_not_found", f"no account {account_id!r}")
            status = update.get("status") or row["status"]
            delivered = update.get("delivered_after_seconds")
            opened = update.get("opened_after_seconds")
            confirmed = update.get("confirmed_after_seconds")
            delivered = row["delivered_after"] if delivered is None else delivered
            opened = row["opened_after"] if opened is None else opened
            confirmed = row["confirmed_after"] if confirmed is None else confirmed
            if update.get("never_open"):
                opened = confirmed = None
            if update.get("never_confirm"):
                confirmed = None
            if opened is None:
                confirmed = None
            if (opened is not None and opened < delivered) or (
                confirmed is not None and opened is not None and confirmed < opened
            ):
                raise PlatformError(
                    422, "delays_out_of_order", "need delivered <= opened <= confirmed"
                )
            db.execute(
                "UPDATE accounts SET status = ?, delivered_after = ?, opened_after = ?,"
                " confirmed_after = ? WHERE account_id = ?",
                (status, delivered, opened, confirmed, account_id),
            )
            row = db.execute(_ACCOUNT_BY_ID, (account_id,)).fetchone()
        return self._account_json(row)

    # -- control state ---------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        now = self.clock.now()
        with self.store.reading() as db:
            outages = db.execute("SELECT * FROM outages ORDER BY platform").fetchall()
            capacities = db.execute("SELECT * FROM capacities ORDER BY platform").fetchall()
            webhooks = dict(
                db.execute("SELECT state, count(*) FROM events GROUP BY state").fetchall()
            )
            (calls,) = db.execute("SELECT count(*) FROM calls").fetchone()
        return {
            "now": _utc_iso(now),
            "legal_now": self.legal_iso(now),
            "legal_day": self.calendar.day(now).isoformat(),
            "day_seconds": self.calendar.day_seconds,
            "webhook_url": self.config.webhook_url,
            "platforms": [platform.value for platform in Platform],
            "outages": {row["platform"]: self._outage_json(row) for row in outages},
            "webhooks": {
                "pending": webhooks.get("pending", 0),
                "sent": webhooks.get("sent", 0),
            },
            "calls": calls,
            "capacities": {row["platform"]: dict(row) for row in capacities},
            "refusals": self.refusals(),
        }

    def webhook_events(self) -> list[dict[str, Any]]:
        """Every scheduled event (also the future ones), for tests and demos."""
        with self.store.reading() as db:
            rows = db.execute("SELECT * FROM events ORDER BY occurred_at, seq").fetchall()
        return [
            {"subject_id": row["subject_id"], "platform": row["platform"], **self._event_json(row)}
            for row in rows
        ]

    # -- webhooks --------------------------------------------------------------------------

    def _due_events(self) -> list[dict[str, Any]]:
        now = self.clock.now().timestamp()
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT e.*, s.kind, s.data FROM events e JOIN subjects s ON s.id = e.subject_id"
                " WHERE e.state = 'pending' AND e.occurred_at <= ? AND e.next_attempt_at <= ?"
                " AND NOT EXISTS (SELECT 1 FROM events p WHERE p.subject_id = e.subject_id"
                " AND p.state = 'pending' AND p.seq < e.seq)"
                " ORDER BY e.occurred_at, e.seq LIMIT 100",
                (now, now),
            ).fetchall()
        return [dict(row) for row in rows]

    def _webhook_payload(self, event: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        data = json.loads(event["data"])
        payload: dict[str, Any] = {
            "event_id": event["event_id"],
            "event_type": event["type"],
            "platform": event["platform"],
            "subject_kind": event["kind"],
            "subject_id": event["subject_id"],
            "account": data.get("account"),
            "document_code": data.get("document_code"),
            "pdf_sha256": data.get("pdf_sha256"),
            "idempotency_key": data.get("idempotency_key"),
            "occurred_at": self.legal_iso(_from_ts(event["occurred_at"])),
            "timestamp": _utc_iso(now),
            "attempt": event["attempts"] + 1,
            "url": data["url"],
            "evidence_url": f"{data['url']}/evidence.pdf?stage={event['type']}",
        }
        if event["kind"] == "delivery":
            payload["delivery_id"] = event["subject_id"]
        else:
            payload["notification_id"] = event["subject_id"]
            payload["national_id"] = data.get("national_id")
        return payload

    def _record_attempt(self, event_id: str, *, ok: bool, error: str | None) -> None:
        now = self.clock.now().timestamp()
        with self.store.transaction() as db:
            if ok:
                db.execute(
                    "UPDATE events SET state = 'sent', attempts = attempts + 1, sent_at = ?,"
                    " last_error = NULL WHERE event_id = ?",
                    (now, event_id),
                )
                return
            (attempts,) = db.execute(
                "SELECT attempts FROM events WHERE event_id = ?", (event_id,)
            ).fetchone()
            delay = min(
                self.config.webhook_backoff_cap, self.config.webhook_backoff_base * 2**attempts
            )
            db.execute(
                "UPDATE events SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?"
                " WHERE event_id = ?",
                (now + delay, error, event_id),
            )

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                transport=self._webhook_transport,
                timeout=self.config.webhook_timeout_seconds,
                trust_env=False,  # only ever the configured URL, never through a proxy
            )
        return self._http

    async def pump_webhooks(self) -> int:
        """Send every due webhook once (in order per subject); return how many hoso took."""
        if self.config.webhook_url is None:
            return 0
        async with self._pump_lock:
            taken = 0
            blocked: set[str] = set()
            for event in await anyio.to_thread.run_sync(self._due_events):
                if event["subject_id"] in blocked:
                    continue
                ok, error = await self._send(event)
                if not ok:
                    blocked.add(event["subject_id"])
                record = partial(self._record_attempt, event["event_id"], ok=ok, error=error)
                await anyio.to_thread.run_sync(record)
                taken += ok
            return taken

    async def _send(self, event: Mapping[str, Any]) -> tuple[bool, str | None]:
        now = self.clock.now()
        platform = event["platform"]
        body = json.dumps(self._webhook_payload(event, now), ensure_ascii=False).encode()
        assert self.config.webhook_url is not None
        url = self.config.webhook_url.replace("{platform}", platform)
        headers = {
            "Content-Type": "application/json",
            PLATFORM_HEADER: platform,
            EVENT_ID_HEADER: event["event_id"],
            TIMESTAMP_HEADER: str(int(now.timestamp())),
            SIGNATURE_HEADER: sign_body(self.config.webhook_secrets[platform], body),
        }
        try:
            response = await self._client().post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return False, f"{type(exc).__name__}: {exc}"
        if 200 <= response.status_code < 300:
            return True, None
        return False, f"HTTP {response.status_code}"

    async def run_webhooks(self) -> None:
        """Pump webhooks forever (the app's lifespan runs this as a task)."""
        while True:
            try:
                await self.pump_webhooks()
            except Exception:  # keep the outbox running whatever one round did
                log.exception("webhook round failed")
            await asyncio.sleep(self.config.webhook_poll_seconds)
