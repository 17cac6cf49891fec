"""The FastAPI application: REST under /api/v1 (OpenAPI at /openapi.json, docs at /docs)."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from temporalio.client import Client

from activities.population import PopulationRegistry
from api.errors import install_error_handlers
from api.routes import (
    agency_link,
    cases,
    confirmations,
    deliveries,
    documents,
    health,
    notifications,
    participants,
    transfers,
    webhooks,
)
from casefile.blobstore import FileBlobStore
from casefile.db import make_engine, make_session_factory
from casefile.settings import Settings, get_settings
from casefile.signing.runtime import SigningRuntime
from workflows.client import connect

__all__ = ["create_app"]


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(
    settings: Settings | None = None,
    *,
    temporal: Client | None = None,
    signing: SigningRuntime | None = None,
    population: PopulationRegistry | None = None,
) -> FastAPI:
    """Build the app; tests pass their own settings, Temporal client, signing runtime and
    population database client."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.effective_database_url)
        app.state.settings = settings
        app.state.sessions = make_session_factory(engine)
        app.state.blobs = FileBlobStore(settings.effective_blob_dir)
        app.state.temporal = temporal or await connect(
            settings.temporal_address, settings.temporal_namespace, lazy=True
        )
        app.state.population = population or PopulationRegistry.from_settings(settings)
        async with AsyncExitStack() as stack:
            if population is None:
                stack.push_async_callback(app.state.population.aclose)
            app.state.signing = signing or await stack.enter_async_context(
                SigningRuntime.start(settings.pki_dir)
            )
            yield
        engine.dispose()

    app = FastAPI(
        title="hoso",
        summary="Electronic criminal case files and procedural processes",
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(cases.router)
    app.include_router(documents.router)
    app.include_router(confirmations.router)
    app.include_router(notifications.router)
    app.include_router(webhooks.router)
    app.include_router(deliveries.router)
    app.include_router(participants.router)
    app.include_router(transfers.router)
    app.include_router(agency_link.router)
    return app
