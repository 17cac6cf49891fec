"""Numbers that never repeat and never skip, even with concurrent writers.

The counter row is incremented with ``UPDATE ... RETURNING``: PostgreSQL holds the row
lock until the transaction ends, so a second writer waits and gets the next number; a
rolled-back transaction gives its numbers back. SQLite serialises writers with
BEGIN IMMEDIATE (casefile.db).

Legal basis: Joint Circular art. 10(3) (numbered file, supplementary documents numbered).
"""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casefile.models import Counter

__all__ = ["next_numbers", "case_serial_scope", "case_scope", "continue_after"]


def case_serial_scope(agency_code: str, year: int) -> str:
    return f"case-serial:{agency_code}:{year}"


def case_scope(case_id: int, what: str) -> str:
    """Scope of a per-case sequence: ``document``, ``record``, ``party`` or ``evidence``."""
    return f"case:{case_id}:{what}"


def next_numbers(session: Session, scope: str, count: int = 1) -> int:
    """Reserve ``count`` consecutive numbers in ``scope`` and return the first."""
    if count < 1:
        raise ValueError("count must be at least 1")
    for _ in range(2):
        last = session.execute(
            update(Counter)
            .where(Counter.scope == scope)
            .values(value=Counter.value + count)
            .returning(Counter.value)
        ).scalar_one_or_none()
        if last is not None:
            return last - count + 1
        try:
            with session.begin_nested():
                session.add(Counter(scope=scope, value=count))
            return 1
        except IntegrityError:
            continue  # another writer created the scope first: take the next number from it
    raise RuntimeError(f"could not reserve a number in {scope}")


def continue_after(session: Session, scope: str, last: int) -> None:
    """Make the next number of ``scope`` follow ``last`` at least: a file received from
    another agency keeps its numbers, and what this agency adds continues them."""
    counter = session.scalars(select(Counter).where(Counter.scope == scope)).one_or_none()
    if counter is None:
        session.add(Counter(scope=scope, value=last))
    elif counter.value < last:
        counter.value = last
    session.flush()
