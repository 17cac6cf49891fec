"""`hoso dev`: how many worker processes it starts and what they are called."""

import pytest

from hoso.devstack import WORKERS_ENV, dev_worker_count, worker_names


def test_worker_names_keep_the_first_worker_called_worker() -> None:
    assert worker_names(1) == ["worker"]
    assert worker_names(3) == ["worker", "worker-2", "worker-3"]


def test_dev_worker_count_defaults_to_one_per_cpu_at_most_two(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert dev_worker_count() == 2
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert dev_worker_count() == 1
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert dev_worker_count() == 1


def test_dev_worker_count_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKERS_ENV, "3")
    assert dev_worker_count() == 3
    for bad in ("0", "17", "two"):
        monkeypatch.setenv(WORKERS_ENV, bad)
        with pytest.raises(SystemExit, match=WORKERS_ENV):
            dev_worker_count()
