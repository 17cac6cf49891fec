"""The outage benchmark's code runs end to end at a tiny scale: real processes (Temporal dev
server, simulator, API, case-file and account workers), 20 deliveries, an outage that ends
after the first refused attempt of each. Nothing here is about time: only that every delivery
is accepted exactly once and every process ends delivered."""

import pytest

from bench.outage.run import Config, attempts_until_capped, backoff_offsets, run_outage


def test_the_backoff_schedule_comes_from_the_production_policy() -> None:
    assert backoff_offsets(1300) == [0, 10, 30, 70, 150, 310, 630, 1230]
    assert attempts_until_capped() == 7


@pytest.mark.slow
@pytest.mark.devserver
async def test_outage_bench_runs_at_a_tiny_scale() -> None:
    result = await run_outage(
        Config(deliveries=20, capacity=50, outage_attempts=1, quiet_s=3, max_outage_s=120)
    )

    checks = result["checks"]
    assert checks["accepted"] == 20
    assert (checks["lost"], checks["unexpected"], checks["duplicate_keys"]) == (0, 0, 0)
    assert checks["accounts_with_more_than_one"] == checks["accounts_without"] == 0
    assert checks["workflows"] == {"delivered_electronic": 20}
    assert checks["recipients_in_hoso"] == {"delivered_electronic": 20}
    assert result["attempts"]["refused_total"] >= 20
