"""Stable enumerations of the domain: their values are persisted and exchanged, never renamed.

Legal basis: Joint Circular art. 23(1)(b) (common data standards).
"""

from enum import StrEnum

__all__ = [
    "AgencyKind",
    "Ministry",
    "Role",
    "SecrecyLevel",
    "Stage",
    "PartyRole",
    "DocumentForm",
    "DocumentStatus",
]


class Ministry(StrEnum):
    """The ministry or branch an agency belongs to (the circular's four signatories)."""

    BCA = "BCA"  # Bộ Công an — Ministry of Public Security
    BQP = "BQP"  # Bộ Quốc phòng — Ministry of Defence
    VKSNDTC = "VKSNDTC"  # Viện kiểm sát nhân dân tối cao — Supreme People's Procuracy
    TANDTC = "TANDTC"  # Tòa án nhân dân tối cao — Supreme People's Court


class AgencyKind(StrEnum):
    """Kinds of agency that keep or receive case files (Joint Circular art. 2)."""

    GRASSROOTS_POLICE = "grassroots_police"
    POLICE_POST = "police_post"
    INVESTIGATION_AGENCY = "investigation_agency"
    PROCURACY = "procuracy"
    COURT = "court"
    DETENTION_FACILITY = "detention_facility"
    ENFORCEMENT_AGENCY = "enforcement_agency"
    APPRAISAL_ORGANIZATION = "appraisal_organization"


class Role(StrEnum):
    """What a user may do; a user holds one or more roles."""

    INVESTIGATOR = "investigator"
    HEAD = "head"  # head or deputy head of an agency
    PROSECUTOR = "prosecutor"
    JUDGE = "judge"
    CLERK = "clerk"
    DIGITIZER = "digitizer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    PARTICIPANT = "participant"


class SecrecyLevel(StrEnum):
    """Secrecy of a case or document and clearance of a user, in increasing order.

    Legal basis: Joint Circular art. 4(6), 14(1).
    """

    UNCLASSIFIED = "unclassified"
    CONFIDENTIAL = "confidential"  # mật
    SECRET = "secret"  # tối mật
    TOP_SECRET = "top_secret"  # tuyệt mật

    @property
    def rank(self) -> int:
        return list(SecrecyLevel).index(self)

    def permits(self, other: "SecrecyLevel") -> bool:
        """Whether a clearance of this level may see material classified ``other``."""
        return self.rank >= other.rank


class Stage(StrEnum):
    """Procedural stage of a case file (Joint Circular art. 3(2); CPC parts 2-4)."""

    INTAKE = "intake"  # receiving and verifying crime reports
    INVESTIGATION = "investigation"
    PROSECUTION = "prosecution"
    TRIAL = "trial"
    ENFORCEMENT = "enforcement"
    CLOSED = "closed"  # not instituted, dismissed, or enforcement finished


class PartyRole(StrEnum):
    """Participants in criminal proceedings (CPC art. 55)."""

    REPORTER = "reporter"  # person who reported the crime
    SUSPECT = "suspect"  # người bị giữ / bị bắt / bị tạm giữ
    ACCUSED = "accused"  # bị can
    DEFENDANT = "defendant"  # bị cáo
    VICTIM = "victim"
    CIVIL_PLAINTIFF = "civil_plaintiff"
    CIVIL_DEFENDANT = "civil_defendant"
    RELATED_PERSON = "related_person"
    WITNESS = "witness"
    DEFENCE_COUNSEL = "defence_counsel"
    LEGAL_REPRESENTATIVE = "legal_representative"


class DocumentForm(StrEnum):
    """How a document entered the electronic file (Joint Circular art. 8, 11)."""

    ELECTRONIC = "electronic"  # created and signed electronically
    PAPER_SIGNED = "paper_signed"  # signed directly on paper under art. 8, then converted
    DIGITIZED = "digitized"  # a digitized copy of an earlier paper document


class DocumentStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    FILED = "filed"
    REPLACED = "replaced"
