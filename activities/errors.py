"""Domain errors cross into Temporal as ApplicationError(type=<class name>)."""

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from pydantic import ValidationError
from temporalio.exceptions import ApplicationError

from casefile.errors import HosoError

__all__ = ["domain_errors_as_application_errors"]

P = ParamSpec("P")
R = TypeVar("R")


def domain_errors_as_application_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Re-raise a HosoError so workflows can branch on its type; non-retryable unless it says."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except HosoError as exc:
            raise ApplicationError(
                exc.failure_message,
                {"field": exc.field},
                type=type(exc).__name__,
                non_retryable=not exc.retryable,
            ) from exc
        except ValidationError as exc:  # bad input never gets better by retrying
            raise ApplicationError(str(exc), type="InvalidInput", non_retryable=True) from exc

    return wrapper
