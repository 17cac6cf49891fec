"""Adding a party by national ID: facts from the National Population Database (Joint
Circular art. 11(1)), hand entry only where it has no record, 503 while it is down.

The API's own httpx client talks to the platform simulator started as a real process (one
per module, on a free port); ``settings.platforms_url`` points at it.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from temporalio.client import Client

from activities.population import PopulationRegistry
from api.main import create_app
from casefile.errors import InvalidInput, PlatformRejected, PlatformUnavailable
from casefile.models import AuditEvent
from casefile.settings import Settings
from casefile.signing.runtime import SigningRuntime
from tests.conftest import Database
from worker import build_casefile_worker

REPO = Path(__file__).resolve().parents[2]
AN = "001090000001"  # seeded: Nguyễn Văn An, active account TK001090000001
DUNG = "031078000004"  # seeded: Phạm Thị Dung, suspended account
UNKNOWN = "046090001234"  # not in the population database
AN_RESIDENCE = "Số 12 phố Hàng Bạc, phường Hoàn Kiếm, thành phố Hà Nội"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def simulator_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The platform simulator as a real process on a free port."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "platforms",
            "--state-dir",
            str(tmp_path_factory.mktemp("sim")),
            "--port",
            str(port),
        ],
        cwd=REPO,
        env={**os.environ, "HOSO_SIM_WEBHOOK_SECRET": "population-test"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{url}/control/state", timeout=1, trust_env=False).is_success:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the platform simulator did not start")
            time.sleep(0.1)
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
async def control(simulator_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The simulator's control endpoints; the population outage is cleared after each test."""
    async with httpx.AsyncClient(base_url=simulator_url, trust_env=False, timeout=10) as http:
        yield http
        (await http.delete("/control/outages/population")).raise_for_status()


@pytest.fixture
def population_settings(settings: Settings, simulator_url: str) -> Settings:
    return settings.model_copy(update={"platforms_url": simulator_url})


@pytest.fixture
async def api(
    population_settings: Settings,
    temporal: Client,
    demo_tokens: dict[str, str],
    signing: SigningRuntime,
) -> AsyncIterator[httpx.AsyncClient]:
    """As tests/api/conftest.py, with the platforms URL of the simulator process."""
    app = create_app(population_settings, temporal=temporal, signing=signing)
    worker = build_casefile_worker(temporal, population_settings, signing)
    async with worker, app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hoso.test") as client:
            yield client
        population = getattr(app.state, "population", None)
        if population is not None:
            await population.aclose()


async def _case(api: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await api.post(
        "/api/v1/cases",
        json={"agency_code": "CSDTHN", "title": "Vụ trộm cắp tài sản", "offence": "Điều 173"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()["code"]


async def _add(api: httpx.AsyncClient, headers: dict[str, str], code: str, **body: object):
    return await api.post(
        f"/api/v1/cases/{code}/parties", json={"role": "witness", **body}, headers=headers
    )


def _added_details(database: Database, party_code: str) -> dict:
    with database.sessions() as session:
        details = session.scalars(
            select(AuditEvent.details).where(
                AuditEvent.action == "party.added", AuditEvent.object_code == party_code
            )
        ).one()
    return json.loads(details)


async def _party_names(api: httpx.AsyncClient, headers: dict[str, str], code: str) -> list[str]:
    detail = (await api.get(f"/api/v1/cases/{code}", headers=headers)).json()
    return [party["full_name"] for party in detail["parties"]]


async def test_add_party_known_national_id_takes_facts_from_population_db(
    api, as_user, database: Database
) -> None:
    code = await _case(api, as_user())
    response = await _add(api, as_user(), code, national_id=AN)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["full_name"], body["birth_year"], body["residence"]) == (
        "Nguyễn Văn An",
        1990,
        AN_RESIDENCE,
    )
    assert body["e_account"] == f"TK{AN}"
    assert body["source"] == "population_db"
    details = _added_details(database, body["code"])
    assert (details["source"], details["account_status"]) == ("population_db", "active")
    assert await _party_names(api, as_user(), code) == ["Nguyễn Văn An"]


async def test_add_party_same_facts_as_population_db_are_accepted(api, as_user) -> None:
    code = await _case(api, as_user())
    response = await _add(
        api,
        as_user(),
        code,
        national_id=AN,
        full_name="  nguyễn   văn AN ",
        birth_year=1990,
        e_account=f"TK{AN}",
    )
    assert response.status_code == 201, response.text
    assert response.json()["full_name"] == "Nguyễn Văn An"  # as the database spells it


async def test_add_party_suspended_account_is_not_kept_but_its_status_is_logged(
    api, as_user, database: Database
) -> None:
    code = await _case(api, as_user())
    response = await _add(api, as_user(), code, national_id=DUNG)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["full_name"], body["e_account"]) == ("Phạm Thị Dung", None)
    assert _added_details(database, body["code"])["account_status"] == "suspended"


async def test_add_party_unknown_national_id_without_name_is_422_naming_full_name(
    api, as_user
) -> None:
    code = await _case(api, as_user())
    response = await _add(api, as_user(), code, national_id=UNKNOWN, birth_year=1990)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == "full_name"
    assert "no record" in error["message"]
    assert await _party_names(api, as_user(), code) == []


async def test_add_party_unknown_national_id_with_entered_facts_is_manual(
    api, as_user, database: Database
) -> None:
    code = await _case(api, as_user())
    response = await _add(
        api,
        as_user(),
        code,
        national_id=UNKNOWN,
        full_name="Đặng Quốc Khánh",
        birth_year=1990,
        residence="phường Phú Hội, thành phố Huế",
        e_account="vneid:046090001234",
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["full_name"], body["source"]) == ("Đặng Quốc Khánh", "manual")
    assert body["e_account"] == "vneid:046090001234"
    details = _added_details(database, body["code"])
    assert (details["source"], details["population_db"]) == ("manual", "no_record")


async def test_add_party_without_national_id_is_manual_and_needs_a_name(
    api, as_user, database: Database
) -> None:
    code = await _case(api, as_user())
    nameless = await _add(api, as_user(), code, birth_year=1980)
    assert nameless.status_code == 422 and nameless.json()["error"]["field"] == "full_name"
    named = await _add(api, as_user(), code, full_name="Người làm chứng chưa rõ CCCD")
    assert named.status_code == 201, named.text
    assert named.json()["source"] == "manual"
    details = _added_details(database, named.json()["code"])
    assert details["population_db"] == "no_national_id"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", "Nguyễn Văn Ân"),
        ("birth_year", 1991),
        ("residence", "phường Phú Hội, thành phố Huế"),
        ("e_account", "vneid:001090000001"),
    ],
)
async def test_add_party_entered_fact_contradicting_population_db_is_422_naming_it(
    api, as_user, field: str, value: object
) -> None:
    code = await _case(api, as_user())
    response = await _add(api, as_user(), code, national_id=AN, **{field: value})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert "comes from the national population database" in error["message"]
    assert await _party_names(api, as_user(), code) == []


async def test_add_party_account_entered_where_population_db_has_none_active_is_422(
    api, as_user
) -> None:
    code = await _case(api, as_user())
    response = await _add(api, as_user(), code, national_id=DUNG, e_account=f"TK{DUNG}")
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "e_account"


async def test_add_party_population_db_down_is_503_and_adds_nothing(
    api, as_user, control: httpx.AsyncClient
) -> None:
    code = await _case(api, as_user())
    outage = await control.put("/control/outages/population", json={"down_for_seconds": 60})
    outage.raise_for_status()
    response = await _add(
        api, as_user(), code, national_id=UNKNOWN, full_name="Đặng Quốc Khánh", birth_year=1990
    )
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["code"] == "platform_unavailable"
    assert "national population database" in error["message"]
    assert await _party_names(api, as_user(), code) == []


async def test_add_party_to_an_unseen_case_is_404_before_any_population_lookup(
    api, as_user, control: httpx.AsyncClient
) -> None:
    code = await _case(api, as_user())
    await control.put("/control/outages/population", json={"down_for_seconds": 60})
    response = await _add(api, as_user("kiemsat.binh"), code, national_id=AN)
    assert response.status_code == 404, response.text  # not 503: the database was not asked


async def test_population_registry_maps_answers_and_errors(
    simulator_url: str, control: httpx.AsyncClient
) -> None:
    async with httpx.AsyncClient(base_url=simulator_url, trust_env=False, timeout=5) as http:
        registry = PopulationRegistry(http)
        person = await registry.lookup(AN)
        assert person is not None and person.e_account == f"TK{AN}"
        assert await registry.lookup("099999999999") is None
        with pytest.raises(InvalidInput) as malformed:
            await registry.lookup("12345")
        assert malformed.value.field == "national_id"
        await control.put("/control/outages/population", json={"reject": True})
        with pytest.raises(InvalidInput) as refused:
            await registry.lookup(AN)
        assert refused.value.field == "national_id"
        await control.put("/control/outages/population", json={"down_for_seconds": 60})
        with pytest.raises(PlatformUnavailable):
            await registry.lookup(AN)
    closed = f"http://127.0.0.1:{_free_port()}"
    async with httpx.AsyncClient(base_url=closed, trust_env=False, timeout=5) as http:
        with pytest.raises(PlatformUnavailable):
            await PopulationRegistry(http).lookup(AN)
    async with httpx.AsyncClient(base_url=simulator_url + "/nowhere", trust_env=False) as http:
        await control.delete("/control/outages/population")
        with pytest.raises(PlatformRejected):  # a route's 404 is not "no such person"
            await PopulationRegistry(http).lookup(AN)
