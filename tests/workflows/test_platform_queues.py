"""Each platform's calls run on its own task queue (issue 4: integrations as separate activity
workers with per-platform rate limits): an electronic delivery waits, durably, for the account
platform's worker and goes out exactly once when one starts polling."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio.client import Client

from casefile.settings import Settings, SettingsError, get_settings
from casefile.signing.runtime import SigningRuntime
from hoso.cli import main
from tests.api.conftest import hoso_stack
from tests.api.test_deliveries_api import ACCOUNT, _summons, _terminate
from tests.helpers import assert_eventually
from worker import CASEFILE_QUEUE, build_workers, running
from workflows import platform_task_queue


async def _account_calls(platforms) -> list[dict]:
    calls = (await platforms.get("/control/log")).json()["calls"]
    return [call for call in calls if call["platform"] in ("vneid", "egov")]


async def test_an_electronic_delivery_waits_for_the_account_platform_worker(
    settings: Settings,
    temporal: Client,
    signing: SigningRuntime,
    demo_tokens: dict[str, str],
    tmp_path: Path,
) -> None:
    headers = {"Authorization": f"Bearer {demo_tokens['dtv.an']}"}
    async with hoso_stack(
        settings, temporal, signing, tmp_path / "sim", queues=[CASEFILE_QUEUE]
    ) as stack:
        api, platforms = stack.hoso, stack.platforms
        await platforms.put(f"/control/accounts/{ACCOUNT}", json={"delivered_after_seconds": 0})
        _, party, document = await _summons(api, headers, e_account=ACCOUNT)
        started = await api.post(
            f"/api/v1/documents/{document}/deliveries",
            json={"party_codes": [party]},
            headers=headers,
        )
        assert started.status_code == 201, started.text
        workflow_id = started.json()[0]["workflow_id"]
        try:

            async def progress() -> dict | None:
                await stack.simulator.state.simulator.pump_webhooks()
                found = await api.get(f"/api/v1/documents/{document}/deliveries", headers=headers)
                listed = found.json()  # from visibility: empty until the start is indexed
                return listed[0]["progress"] if listed else None

            async def awaiting_acceptance() -> bool:
                current = await progress()
                return bool(current) and current["awaiting"] == "electronic_acceptance"

            await assert_eventually(awaiting_acceptance, timeout=30)
            described = await temporal.get_workflow_handle(workflow_id).describe()
            pending = described.raw_description.pending_activities
            assert [p.activity_type.name for p in pending] == ["send_electronic_delivery"]
            assert await _account_calls(platforms) == []  # the case-file worker never calls it

            account_worker = build_workers(
                temporal, settings, None, queues=["account"], platforms=platforms
            )
            assert [w.task_queue for w in account_worker] == [
                platform_task_queue(settings.task_queue, "account")
            ]
            async with running(account_worker):

                async def delivered() -> bool:
                    current = await progress()
                    return bool(current) and current["status"] == "delivered_electronic"

                await assert_eventually(delivered, timeout=60)
            assert len(await _account_calls(platforms)) == 1
        finally:
            await _terminate(temporal, [workflow_id])


async def test_each_platform_worker_carries_its_rate_limit(
    settings: Settings, temporal: Client
) -> None:
    limited = Settings(**{**settings.model_dump(), "platform_rate_limits": {"newspaper": 0.5}})
    workers = build_workers(temporal, limited, None, queues=["newspaper", "account"])
    limits = {w.task_queue: w.config()["max_task_queue_activities_per_second"] for w in workers}
    assert limits == {
        f"{settings.task_queue}.newspaper": 0.5,
        f"{settings.task_queue}.account": 50.0,
    }


def test_rate_limits_name_an_unknown_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSO_PLATFORM_RATE_LIMITS", '{"telegram": 3}')
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="HOSO_PLATFORM_RATE_LIMITS.*telegram"):
        get_settings()
    get_settings.cache_clear()


def test_worker_refuses_an_unknown_queue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--queue", "fax"]) == 2
    assert "unknown queue 'fax'" in capsys.readouterr().err


def test_every_channel_has_a_rate_limit_and_nothing_else() -> None:
    from casefile.notification import Channel
    from casefile.settings import DEFAULT_PLATFORM_RATE_LIMITS

    assert set(DEFAULT_PLATFORM_RATE_LIMITS) == {channel.value for channel in Channel}


async def test_deliveries_waiting_out_an_outage_go_as_soon_as_the_platform_is_back(
    settings: Settings,
    temporal: Client,
    signing: SigningRuntime,
    demo_tokens: dict[str, str],
    tmp_path: Path,
) -> None:
    """The first delivery through after the outage releases the others from their backoff
    (activities/backlog.py): they go before their own retry timers would have fired."""
    from temporalio.api.workflowservice.v1 import ListBatchOperationsRequest

    headers = {"Authorization": f"Bearer {demo_tokens['dtv.an']}"}
    async with hoso_stack(settings, temporal, signing, tmp_path / "sim") as stack:
        api, platforms = stack.hoso, stack.platforms
        await platforms.put(f"/control/accounts/{ACCOUNT}", json={"delivered_after_seconds": 0})
        for platform in ("vneid", "egov"):
            await platforms.put(f"/control/outages/{platform}", json={"down_for_seconds": 3600})
        waiting = [await _summons(api, headers, e_account=ACCOUNT) for _ in range(2)]

        async def backing_off() -> list | None:
            found = []
            for _, _, document in waiting:
                listed = (
                    await api.get(f"/api/v1/documents/{document}/deliveries", headers=headers)
                ).json()
                if not listed:
                    return None
                described = await temporal.get_workflow_handle(listed[0]["workflow_id"]).describe()
                pending = described.raw_description.pending_activities
                if not pending or pending[0].attempt < 2:
                    return None
                found.append(pending[0].next_attempt_schedule_time.ToDatetime(tzinfo=UTC))
            return found

        next_attempts = await assert_eventually(backing_off, timeout=60)
        assert await _account_calls(platforms) == []
        for platform in ("vneid", "egov"):
            await platforms.delete(f"/control/outages/{platform}")
        await _summons(api, headers, e_account=ACCOUNT)  # a new delivery goes through first

        async def all_accepted() -> bool:
            return len(await _account_calls(platforms)) == 3

        await assert_eventually(
            all_accepted, timeout=(min(next_attempts) - datetime.now(UTC)).total_seconds()
        )
        assert datetime.now(UTC) < min(next_attempts)  # released, not brought back by timers
        jobs = await temporal.workflow_service.list_batch_operations(
            ListBatchOperationsRequest(namespace=settings.temporal_namespace)
        )
        assert any(
            job.job_id.startswith("release-send_electronic_delivery") for job in jobs.operation_info
        )
        assert [call["replays"] for call in await _account_calls(platforms)] == [0, 0, 0]
