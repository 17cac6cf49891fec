"""Domain errors cross into Temporal as ApplicationError(type=<class name>)."""

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from casefile.errors import HosoError

__all__ = ["domain_errors_as_application_errors"]

F = TypeVar("F", bound=Callable[..., Any])


def _translate(exc: Exception) -> ApplicationError:
    if isinstance(exc, HosoError):
        return ApplicationError(
            exc.failure_message,
            {"field": exc.field, "article": getattr(exc, "article", None)},
            type=type(exc).__name__,
            non_retryable=not exc.retryable,
            # a platform that is down is expected and retried: no traceback per attempt
            category=ApplicationErrorCategory.BENIGN
            if exc.retryable
            else ApplicationErrorCategory.UNSPECIFIED,
        )
    # bad input never gets better by retrying
    return ApplicationError(str(exc), type="InvalidInput", non_retryable=True)


def domain_errors_as_application_errors(fn: F) -> F:
    """Re-raise a HosoError so workflows can branch on its type; non-retryable unless it says.
    Works for sync and async activities alike."""
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except (HosoError, ValidationError) as exc:
                raise _translate(exc) from exc

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (HosoError, ValidationError) as exc:
            raise _translate(exc) from exc

    return wrapper  # type: ignore[return-value]
