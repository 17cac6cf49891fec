"""The stage transition table: what the procedure allows and what it refuses."""

import pytest

from casefile.codes import Stage
from casefile.errors import ProceduralViolation
from casefile.stages import TRANSITIONS, allowed_next_stages, check_transition


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (Stage.INTAKE, Stage.INVESTIGATION),
        (Stage.INVESTIGATION, Stage.PROSECUTION),
        (Stage.PROSECUTION, Stage.TRIAL),
        (Stage.TRIAL, Stage.ENFORCEMENT),
        (Stage.PROSECUTION, Stage.INVESTIGATION),  # returned for additional investigation
        (Stage.TRIAL, Stage.PROSECUTION),  # returned by the court
    ],
)
def test_transition_allowed_by_procedure_is_accepted(source: Stage, target: Stage) -> None:
    transition = check_transition(source, target)
    assert transition.article.startswith("CPC")


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (Stage.INTAKE, Stage.TRIAL),
        (Stage.INVESTIGATION, Stage.TRIAL),
        (Stage.ENFORCEMENT, Stage.INVESTIGATION),
        (Stage.CLOSED, Stage.INVESTIGATION),
        (Stage.TRIAL, Stage.TRIAL),
    ],
)
def test_transition_not_in_table_is_refused(source: Stage, target: Stage) -> None:
    with pytest.raises(ProceduralViolation, match=f"cannot move to {target}"):
        check_transition(source, target)


def test_every_stage_but_closed_has_a_way_forward() -> None:
    for stage in Stage:
        assert bool(allowed_next_stages(stage)) is (stage is not Stage.CLOSED)
    assert len({(t.source, t.target) for t in TRANSITIONS}) == len(TRANSITIONS)
