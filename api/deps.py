"""Dependencies handlers declare: the database session, the acting user, Temporal, blobs."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from temporalio.client import Client

from activities.population import PopulationRegistry
from casefile.blobstore import BlobStore
from casefile.db import SessionFactory, transaction
from casefile.models import User
from casefile.repositories.users import get_user_by_token
from casefile.settings import Settings

__all__ = [
    "SessionDep",
    "SessionFactoryDep",
    "CurrentActor",
    "TemporalClientDep",
    "SettingsDep",
    "BlobsDep",
]

_bearer = HTTPBearer(auto_error=False, description="Demo tokens are printed by `make run`.")


def _session(request: Request) -> Iterator[Session]:
    """A session whose transaction commits when the handler returns without an error."""
    factory: SessionFactory = request.app.state.sessions
    with factory() as session, session.begin():
        yield session


SessionDep = Annotated[Session, Depends(_session)]


def _session_factory(request: Request) -> SessionFactory:
    return request.app.state.sessions


SessionFactoryDep = Annotated[SessionFactory, Depends(_session_factory)]


def _actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user behind the bearer token, loaded in a short transaction of its own (no lock
    is held while a handler waits on Temporal)."""
    if credentials is None:
        raise HTTPException(401, "a bearer token is required", {"WWW-Authenticate": "Bearer"})
    with transaction(request.app.state.sessions) as session:
        user = get_user_by_token(session=session, token=credentials.credentials)
    if user is None:
        raise HTTPException(401, "the bearer token is not valid", {"WWW-Authenticate": "Bearer"})
    return user


CurrentActor = Annotated[User, Depends(_actor)]


def _temporal(request: Request) -> Client:
    return request.app.state.temporal


TemporalClientDep = Annotated[Client, Depends(_temporal)]


def _settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(_settings)]


def _blobs(request: Request) -> BlobStore:
    return request.app.state.blobs


BlobsDep = Annotated[BlobStore, Depends(_blobs)]


def _population(request: Request) -> PopulationRegistry:
    return request.app.state.population


PopulationDep = Annotated[PopulationRegistry, Depends(_population)]
