"""The transfer's confirmation limit on the time-skipping server: three legal days pass in
milliseconds, and both agencies' supervisors are warned exactly once (art. 17(2)(e))."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from casefile.codes import Stage
from casefile.models import AuditEvent, Transfer
from casefile.signing.runtime import SigningRuntime
from tests.helpers import assert_eventually
from tests.transfers.conftest import case_in_stage, installations
from tests.transfers.test_transfer_between_installations import _side, _start


async def test_three_days_unconfirmed_warn_both_sides_once(
    time_skipping: WorkflowEnvironment, signing: SigningRuntime, tmp_path: Path
) -> None:
    async with installations(
        ["CSDTHN", "VKSHN"],
        kind="sqlite",
        folder=tmp_path,
        temporal=time_skipping.client,
        signing=signing,
    ) as ((police, procuracy), _):
        case = case_in_stage(police, Stage.INVESTIGATION, username="dtv.an")
        transfer_id = await _start(police, case, "dtv.an", "investigation_conclusion", "VKSHN")
        await _side(procuracy, "kiemsat.binh", transfer_id, "checked")
        await _side(police, "dtv.an", transfer_id, "sent")
        for side in (police, procuracy):
            with side.session() as session:
                assert session.scalars(select(Transfer.warned_at)).all() == [None]

        await time_skipping.sleep(timedelta(days=2, hours=23))
        for side in (police, procuracy):
            with side.session() as session:
                assert session.scalars(select(Transfer.warned_at)).all() == [None]

        await time_skipping.sleep(timedelta(hours=2))
        for side, username in ((police, "ptt.tuan"), (procuracy, "kiemsat.binh")):

            async def warned(side=side, username=username) -> list[str]:
                listed = await side.api.get(
                    "/api/v1/transfers?unconfirmed=true", headers=side.headers(username)
                )
                return [t["transfer_id"] for t in listed.json()]

            assert await assert_eventually(warned, timeout=30) == [transfer_id]
            with side.session() as session:
                warnings = session.scalars(
                    select(AuditEvent.action).where(
                        AuditEvent.object_code == transfer_id,
                        AuditEvent.action == "transfer.unconfirmed_warning",
                    )
                ).all()
                assert len(warnings) == 1
