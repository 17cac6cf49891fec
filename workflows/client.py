"""The one way to connect to Temporal: with the Pydantic data converter every side shares."""

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

__all__ = ["connect"]


async def connect(address: str, namespace: str, *, lazy: bool = False) -> Client:
    """Connect; ``lazy`` defers the connection to the first call (the API starts without it)."""
    return await Client.connect(
        address, namespace=namespace, data_converter=pydantic_data_converter, lazy=lazy
    )
