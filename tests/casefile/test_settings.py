"""Configuration: defaults, and a wrong value stops start-up naming the variable."""

import subprocess
import sys

import pytest

from casefile.settings import SettingsError, get_settings


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch):
    for name in ("HOSO_DATABASE_URL", "HOSO_TIME_ZONE", "HOSO_TEMPORAL_ADDRESS", "HOSO_API_PORT"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_settings_default_to_the_embedded_sqlite_and_vietnam_time() -> None:
    settings = get_settings()
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.effective_database_url.endswith("data/hoso.db")
    assert settings.time_zone == "Asia/Ho_Chi_Minh"
    assert settings.temporal_address == "127.0.0.1:7233"


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("HOSO_TIME_ZONE", "Asia/Saigon_City", "unknown time zone"),
        ("HOSO_DATABASE_URL", "mysql://root@localhost/hoso", "must start with"),
        ("HOSO_TEMPORAL_ADDRESS", "localhost", "must be host:port"),
        ("HOSO_API_PORT", "eighty", "integer"),
    ],
)
def test_settings_wrong_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, complaint: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        get_settings()
    assert variable in str(error.value) and complaint in str(error.value)


def test_hoso_command_with_wrong_setting_exits_2_naming_it(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hoso.cli", "migrate"],
        env={"HOSO_TIME_ZONE": "Mars/Olympus", "HOSO_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "HOSO_TIME_ZONE" in result.stderr
    assert not (tmp_path / "hoso.db").exists()
