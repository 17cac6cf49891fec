"""HTTP client of the National Population Database (the simulator in the embedded default).

``GET {platforms_url}/population/people/{national_id}`` answers the person's name, birth
year, residence and electronic account, or 404 ``person_not_found``. A 5xx, a 429, a timeout
or a refused connection is :class:`PlatformUnavailable`; a 422 is :class:`InvalidInput`
naming ``national_id``; any other refusal, including a 404 that is not ``person_not_found``
(a wrong ``HOSO_PLATFORMS_URL`` must not pass for "no such person"), is
:class:`PlatformRejected`.

Legal basis: Joint Circular art. 11(1).
"""

import re

import httpx
from pydantic import ValidationError

from casefile.errors import InvalidInput, PlatformRejected, PlatformUnavailable
from casefile.settings import Settings
from casefile.usecases.add_party import PersonRecord

__all__ = ["PersonRecord", "PopulationRegistry"]

NATIONAL_ID = re.compile(r"\d{12}")
NAME = "the national population database"


class PopulationRegistry:
    """Looks people up by national ID over an injected ``httpx.AsyncClient`` whose base URL
    is ``settings.platforms_url``."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._http = client

    @classmethod
    def from_settings(cls, settings: Settings) -> "PopulationRegistry":
        """A registry with a client of its own, from HOSO_PLATFORMS_URL and
        HOSO_PLATFORMS_TIMEOUT_SECONDS."""
        return cls(
            httpx.AsyncClient(
                base_url=settings.platforms_url, timeout=settings.platforms_timeout_seconds
            )
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def lookup(self, national_id: str) -> PersonRecord | None:
        """The person holding ``national_id``, or None where the database has no record."""
        if not NATIONAL_ID.fullmatch(national_id):
            raise InvalidInput("national_id: must be 12 digits", field="national_id")
        url = f"/population/people/{national_id}"
        try:
            response = await self._http.get(url)
        except httpx.TransportError as exc:  # refused, reset, timed out
            raise PlatformUnavailable(
                f"{NAME} cannot be reached ({type(exc).__name__}); try again later"
            ) from exc
        status = response.status_code
        if status >= 500 or status == 429:
            raise PlatformUnavailable(f"{NAME} is unavailable (HTTP {status}); try again later")
        if status == 404 and _error_code(response) == "person_not_found":
            return None
        if status == 422:
            raise InvalidInput(
                f"national_id: {NAME} refused it ({_message(response)})", field="national_id"
            )
        if status >= 300:
            raise PlatformRejected(
                f"{NAME} refused the look-up (HTTP {status}): {_message(response)}"
            )
        try:
            record = PersonRecord.model_validate_json(response.content)
        except ValidationError as exc:
            raise PlatformUnavailable(f"{NAME} answered a malformed record") from exc
        if record.national_id != national_id:
            raise PlatformUnavailable(f"{NAME} answered for another national ID")
        return record


def _error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    return response.text[:200]
