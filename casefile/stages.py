"""The stages a case file passes through and the moves the procedure allows between them.

Legal basis: CPC (Law 101/2015/QH13) parts 2-5; Joint Circular art. 3(2), 18(2) (one file
through every stage). A move not in :data:`TRANSITIONS` is refused.
"""

from dataclasses import dataclass

from casefile.codes import Stage
from casefile.errors import ProceduralViolation

__all__ = ["Transition", "TRANSITIONS", "allowed_next_stages", "check_transition"]


@dataclass(frozen=True)
class Transition:
    source: Stage
    target: Stage
    act: str
    """The procedural act that makes the move, in Vietnamese as officers name it."""
    article: str
    """Where the procedure allows it."""


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Stage.INTAKE, Stage.INVESTIGATION, "Khởi tố vụ án hình sự", "CPC art. 143, 154"),
    Transition(Stage.INTAKE, Stage.CLOSED, "Không khởi tố vụ án hình sự", "CPC art. 157, 158"),
    Transition(
        Stage.INVESTIGATION,
        Stage.PROSECUTION,
        "Kết luận điều tra đề nghị truy tố",
        "CPC art. 232, 236",
    ),
    Transition(Stage.INVESTIGATION, Stage.CLOSED, "Đình chỉ điều tra", "CPC art. 230"),
    Transition(
        Stage.PROSECUTION, Stage.INVESTIGATION, "Trả hồ sơ để điều tra bổ sung", "CPC art. 245"
    ),
    Transition(Stage.PROSECUTION, Stage.TRIAL, "Truy tố bằng bản cáo trạng", "CPC art. 243"),
    Transition(Stage.PROSECUTION, Stage.CLOSED, "Đình chỉ vụ án", "CPC art. 248"),
    Transition(Stage.TRIAL, Stage.PROSECUTION, "Trả hồ sơ để điều tra bổ sung", "CPC art. 280"),
    Transition(Stage.TRIAL, Stage.ENFORCEMENT, "Bản án có hiệu lực pháp luật", "CPC art. 343, 363"),
    Transition(Stage.TRIAL, Stage.CLOSED, "Đình chỉ vụ án", "CPC art. 282"),
    Transition(Stage.ENFORCEMENT, Stage.CLOSED, "Chấp hành xong bản án", "CPC art. 363"),
)


def allowed_next_stages(current: Stage) -> list[Stage]:
    return [t.target for t in TRANSITIONS if t.source is current]


def check_transition(current: Stage, target: Stage) -> Transition:
    """Return the transition from ``current`` to ``target`` or refuse it."""
    for transition in TRANSITIONS:
        if transition.source is current and transition.target is target:
            return transition
    allowed = ", ".join(allowed_next_stages(current)) or "none"
    raise ProceduralViolation(
        f"a case in stage {current} cannot move to {target} (allowed: {allowed})",
        article="CPC parts 2-5",
        field="stage",
    )
