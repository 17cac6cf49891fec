"""Domain errors. Each carries a stable ``code`` and a message for people; the API maps
classes to HTTP statuses in one place (api/errors.py) and activities re-raise them as
``ApplicationError(type=<class name>)`` so workflows can branch on the type."""

__all__ = [
    "HosoError",
    "InvalidInput",
    "InvalidCode",
    "NotFound",
    "NotPermitted",
    "Conflict",
    "ProceduralViolation",
    "BlobCorrupted",
    "PlatformUnavailable",
    "PlatformRejected",
]


class HosoError(Exception):
    """Base of every domain error."""

    code = "error"
    retryable = False

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.failure_message = message
        self.field = field


class InvalidInput(HosoError):
    """A value given by a person or a system is malformed or inconsistent."""

    code = "invalid_input"


class InvalidCode(InvalidInput):
    """An electronic file code (or an extension of it) is malformed or fails its check digits."""

    code = "invalid_code"


class NotFound(HosoError):
    code = "not_found"


class NotPermitted(HosoError):
    """The acting user lacks the authority, clearance or agency for the act."""

    code = "not_permitted"


class Conflict(HosoError):
    code = "conflict"


class ProceduralViolation(HosoError):
    """The act is not allowed by the procedure at this point (e.g. an illegal stage change)."""

    code = "procedural_violation"

    def __init__(self, message: str, *, article: str, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.article = article


class BlobCorrupted(HosoError):
    """Stored bytes no longer match their SHA-256 name: they are never served."""

    code = "blob_corrupted"


class PlatformUnavailable(HosoError):
    """An external platform is down, slow or erring: worth retrying later."""

    code = "platform_unavailable"
    retryable = True


class PlatformRejected(HosoError):
    """An external platform definitively refused (no such account, content refused): the
    process moves to its next fallback instead of retrying."""

    code = "platform_rejected"
