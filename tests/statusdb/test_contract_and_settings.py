"""The common database's vocabulary follows hoso's enums, and a wrong setting names itself."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from casefile.codes import Stage
from casefile.delivery import RecipientStatus
from statusdb.contract import STATUSES_BY_KIND, StatusKind
from statusdb.settings import SettingsError, get_settings

ROOT = Path(__file__).resolve().parents[2]


def test_vocabulary_has_every_stage_and_delivery_status_of_hoso() -> None:
    assert STATUSES_BY_KIND[StatusKind.STAGE] == {stage.value for stage in Stage}
    assert STATUSES_BY_KIND[StatusKind.DELIVERY] == {status.value for status in RecipientStatus}


def test_settings_wrong_values_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATUSDB_MASTER_SECRET", "a-long-enough-master-secret")
    monkeypatch.setenv("STATUSDB_DATABASE_URL", "mysql://db/statuses")
    with pytest.raises(SettingsError, match="STATUSDB_DATABASE_URL: .*sqlite:///"):
        get_settings()
    monkeypatch.delenv("STATUSDB_DATABASE_URL")

    monkeypatch.setenv("STATUSDB_PORT", "eighty")
    with pytest.raises(SettingsError, match="STATUSDB_PORT"):
        get_settings()
    monkeypatch.delenv("STATUSDB_PORT")

    monkeypatch.setenv("STATUSDB_AGENCY_SECRETS", '{"Công an Hà Nội": "0123456789abcdef"}')
    with pytest.raises(SettingsError, match="STATUSDB_AGENCY_SECRETS: .*not an agency code"):
        get_settings()
    monkeypatch.setenv("STATUSDB_AGENCY_SECRETS", "{not json")
    with pytest.raises(SettingsError, match="STATUSDB_AGENCY_SECRETS: not valid JSON"):
        get_settings()


def test_settings_without_any_secret_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STATUSDB_MASTER_SECRET", raising=False)
    monkeypatch.delenv("STATUSDB_AGENCY_SECRETS", raising=False)
    with pytest.raises(SettingsError, match="STATUSDB_MASTER_SECRET or STATUSDB_AGENCY_SECRETS"):
        get_settings()
    monkeypatch.setenv("STATUSDB_AGENCY_SECRETS", '{"CSDTHN": "0123456789abcdef"}')
    settings = get_settings()
    assert settings.key_of("CSDTHN") == b"0123456789abcdef"
    assert settings.key_of("VKSHN") is None  # no master: only the listed agencies publish


def test_python_m_statusdb_stops_on_a_wrong_value() -> None:
    env = {**os.environ, "STATUSDB_MASTER_SECRET": "x" * 20, "STATUSDB_PORT": "0x50"}
    result = subprocess.run(
        [sys.executable, "-m", "statusdb"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "STATUSDB_PORT" in result.stderr
