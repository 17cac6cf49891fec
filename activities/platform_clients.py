"""HTTP clients of the external platforms (the simulator in the embedded default and tests).

Every call carries an ``Idempotency-Key`` derived from the workflow, channel and legal day,
so a retried activity never publishes or delivers twice. A 5xx, a timeout or a refused
connection is :class:`PlatformUnavailable` (retried by the workflow's capped backoff); a
definitive 404/422 is :class:`PlatformRejected` (the process moves on).

Legal basis: Joint Circular art. 3(1), 9(4)(a), 20(1), 20(3)(b).
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from casefile.errors import Conflict, PlatformRejected, PlatformUnavailable
from casefile.notification import Channel, notice_text, validate_content
from workflows.io import PublishArgs

__all__ = ["HttpPlatforms", "Publication"]


@dataclass(frozen=True)
class Publication:
    published_at: datetime
    reference: str
    link: str
    evidence_pdf: bytes


class HttpPlatforms:
    """The platforms of art. 20(1) over HTTP, one base URL (the simulator or a gateway)."""

    def __init__(self, client: httpx.AsyncClient, *, broadcaster: str = "tv") -> None:
        self._http = client
        self._broadcaster = broadcaster

    async def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, url, **kwargs)
        except httpx.TransportError as exc:  # refused, reset, timed out
            raise PlatformUnavailable(f"{url}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise PlatformUnavailable(f"{url} answered {response.status_code}")
        if response.status_code == 409:
            raise Conflict(f"{url}: idempotency key reused with another request")
        if response.status_code >= 400:
            try:
                message = response.json().get("message") or response.text
            except ValueError:
                message = response.text
            raise PlatformRejected(f"{url} refused ({response.status_code}): {message}")
        return response

    async def _evidence_pdf(self, answer: dict[str, Any]) -> bytes:
        record = answer.get("evidence")
        if record is None:
            record = (await self._call("GET", answer["evidence_url"])).json()
        pdf = (await self._call("GET", record["pdf_url"])).content
        if hashlib.sha256(pdf).hexdigest() != record["pdf_sha256"]:
            raise PlatformUnavailable("the evidence PDF does not match its SHA-256; refetching")
        return pdf

    async def publish(self, args: PublishArgs, *, idempotency_key: str) -> Publication:
        request = args.request
        content = validate_content(request.content)
        text = notice_text(
            content,
            posted_on=args.day,
            concludes_at=args.planned_conclusion,
            calendar=request.calendar,
        )
        title = f"Thông báo {content.document.doc_type} số {content.document.number}"
        headers = {"Idempotency-Key": idempotency_key}
        agency = content.issuing_agency
        match args.channel:
            case Channel.NEWSPAPER:
                answer = (
                    await self._call(
                        "POST",
                        "/newspaper/publications",
                        headers=headers,
                        json={"text": text, "title": title, "agency": agency},
                    )
                ).json()
                reference = f"số {answer['issue_number']} ngày {answer['issue_date']}"
                at, link = answer["published_at"], answer["url"]
            case Channel.BROADCAST:
                answer = (
                    await self._call(
                        "POST",
                        f"/{self._broadcaster}/broadcasts",
                        headers=headers,
                        json={"text": text, "title": title, "agency": agency},
                    )
                ).json()
                reference = f"{answer['channel']} {answer['programme']} {answer['broadcast_at']}"
                at, link = answer["broadcast_at"], answer["url"]
            case Channel.ACCOUNT:
                if not request.account:
                    raise PlatformRejected("the person has no electronic account (b)")
                answer = (
                    await self._call(
                        "POST",
                        "/vneid/deliveries",
                        headers=headers,
                        json={
                            "account": request.account,
                            "document_code": request.document_code,
                            "title": title,
                            "pdf_sha256": hashlib.sha256(text.encode()).hexdigest(),
                            "pdf_url": f"hoso:documents/{request.document_code}",
                        },
                    )
                ).json()
                reference, at, link = answer["delivery_id"], answer["accepted_at"], answer["url"]
            case Channel.NDC_APP:
                if not request.national_id:
                    raise PlatformRejected("the person's national ID is unknown (c)")
                answer = (
                    await self._call(
                        "POST",
                        "/ndc/notifications",
                        headers=headers,
                        json={
                            "national_id": request.national_id,
                            "document_code": request.document_code,
                            "title": title,
                            "text": text,
                            "agency": agency,
                        },
                    )
                ).json()
                reference, at, link = answer["notification_id"], answer["posted_at"], answer["url"]
            case Channel.PORTAL:
                answer = (
                    await self._call(
                        "POST",
                        "/portal/notices",
                        headers=headers,
                        json={"title": title, "body": text, "agency": agency},
                    )
                ).json()
                reference, at, link = answer["notice_id"], answer["posted_at"], answer["url"]
        return Publication(
            published_at=datetime.fromisoformat(at),
            reference=reference,
            link=link,
            evidence_pdf=await self._evidence_pdf(answer),
        )
