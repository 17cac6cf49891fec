"""Loading users by bearer token or id."""

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.errors import NotFound
from casefile.models import User

__all__ = ["get_user", "get_user_by_token", "token_digest"]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def get_user_by_token(*, session: Session, token: str) -> User | None:
    return session.scalars(
        select(User).where(User.token_sha256 == token_digest(token))
    ).one_or_none()


def get_user(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}", field="actor_id")
    return user
