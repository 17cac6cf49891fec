"""The catalog of procedural document types: definitions, numbering, field validation."""

import unicodedata
from typing import Any

import pytest
from pydantic import BaseModel

from casefile.codes import AgencyKind, PartyRole, Role, Stage
from casefile.doctypes import (
    CATALOG,
    DecisionInstituteCaseFields,
    DocType,
    InvalidDocumentField,
    format_procedural_number,
    get_spec,
    procedural_symbol,
    validate_fields,
)
from casefile.errors import InvalidInput

CASE_FIELDS: dict[str, Any] = {
    "basis": "denunciation",
    "offence_name": "Trộm cắp tài sản",
    "penal_code_provision": "khoản 1 Điều 173",
    "occurred_on": "2026-12-01",
    "occurred_at": "phường Phú Hội, thành phố Huế, tỉnh Thừa Thiên Huế",
    "facts": "Bà Nguyễn Thị Hường bị mất xe mô tô.",
}

NOTICE_FIELDS: dict[str, Any] = {
    "issuing_agency": "Cơ quan Cảnh sát điều tra Công an tỉnh Thừa Thiên Huế",
    "person": {"full_name": "Đặng Quốc Khánh", "birth_year": 1990},
    "document_type_name": "Giấy triệu tập",
    "document_number": "30/GTT-CSĐT",
    "document_date": "2026-12-04",
    "document_content": "Triệu tập đến làm việc.",
    "obligation": "Có mặt tại trụ sở.",
    "obligation_deadline": "2026-12-20T08:00:00",
    "obligation_place": "số 1 Tôn Đức Thắng, thành phố Huế",
    "consequences": "Có thể bị áp giải.",
    "posted_from": "2026-12-05",
    "posted_until": "2026-12-07",
}


def test_catalog_every_doc_type_defined_completely() -> None:
    assert set(CATALOG) == set(DocType)
    for doc_type, spec in CATALOG.items():
        assert spec.doc_type is doc_type
        assert spec.template == f"{doc_type.value}.html.j2"
        assert issubclass(spec.fields_model, BaseModel)
        assert spec.title == spec.title.upper()
        assert spec.issuer_roles and spec.issuer_agencies and spec.stages
        assert Role.PARTICIPANT not in spec.issuer_roles
        assert spec.legal_basis.startswith("CPC art.")
        assert spec.needs_countersignature == (spec.countersigner_label is not None)
        assert unicodedata.is_normalized("NFC", spec.full_title)


def test_catalog_statement_record_needs_participant_countersignature() -> None:
    spec = get_spec("statement_record")
    assert spec.needs_countersignature
    assert spec.countersigner_label == "NGƯỜI KHAI"
    assert not get_spec(DocType.DECISION_INSTITUTE_CASE).needs_countersignature


def test_catalog_decision_institute_accused_goes_to_procuracy_and_accused() -> None:
    spec = get_spec(DocType.DECISION_INSTITUTE_ACCUSED)
    assert AgencyKind.PROCURACY in spec.recipient_agencies
    assert PartyRole.ACCUSED in spec.recipient_parties
    assert Stage.INVESTIGATION in spec.stages


def test_catalog_indictment_issued_only_by_procuracy() -> None:
    assert get_spec(DocType.INDICTMENT).issuer_agencies == {AgencyKind.PROCURACY}


def test_get_spec_unknown_type_raises_naming_doc_type() -> None:
    with pytest.raises(InvalidDocumentField) as info:
        get_spec("decision_unknown")
    assert info.value.field == "doc_type"


def test_procedural_symbol_investigation_decision_is_qd_csdt() -> None:
    symbol = procedural_symbol(DocType.DECISION_INSTITUTE_CASE, AgencyKind.INVESTIGATION_AGENCY)
    assert symbol == "QĐ-CSĐT"
    assert procedural_symbol(DocType.INDICTMENT, AgencyKind.PROCURACY, "VKS-P2") == "CT-VKS-P2"


def test_format_procedural_number_court_decision_includes_year() -> None:
    assert (
        format_procedural_number(
            12, DocType.DECISION_INSTITUTE_CASE, AgencyKind.INVESTIGATION_AGENCY, year=2026
        )
        == "12/QĐ-CSĐT"
    )
    assert (
        format_procedural_number(45, DocType.DECISION_BRING_TO_TRIAL, AgencyKind.COURT, year=2026)
        == "45/2026/QĐXXST-HS"
    )


def test_format_procedural_number_zero_raises_naming_number() -> None:
    with pytest.raises(InvalidDocumentField) as info:
        format_procedural_number(0, DocType.SUMMONS, AgencyKind.COURT, year=2026)
    assert info.value.field == "number"


def test_validate_fields_valid_data_returns_model() -> None:
    model = validate_fields(DocType.DECISION_INSTITUTE_CASE, CASE_FIELDS)
    assert isinstance(model, DecisionInstituteCaseFields)
    assert model.offence_name == "Trộm cắp tài sản"
    assert validate_fields(DocType.DECISION_INSTITUTE_CASE, model) is model


def test_validate_fields_nfd_strings_become_nfc() -> None:
    data = {k: unicodedata.normalize("NFD", v) for k, v in CASE_FIELDS.items()}
    model = validate_fields(DocType.DECISION_INSTITUTE_CASE, data)
    assert isinstance(model, DecisionInstituteCaseFields)
    assert model.occurred_at == CASE_FIELDS["occurred_at"]
    assert model.facts == CASE_FIELDS["facts"]


@pytest.mark.parametrize("missing", ["facts", "offence_name", "occurred_on", "basis"])
def test_validate_fields_missing_required_raises_naming_field(missing: str) -> None:
    data = {k: v for k, v in CASE_FIELDS.items() if k != missing}
    with pytest.raises(InvalidDocumentField) as info:
        validate_fields(DocType.DECISION_INSTITUTE_CASE, data)
    err = info.value
    assert err.field == missing
    assert err.message == "required field is missing"
    assert isinstance(err, ValueError) and isinstance(err, InvalidInput)
    assert missing in str(err)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("occurred_on", "2026-13-01"),
        ("penal_code_provision", "khoản 1"),
        ("basis", "rumour"),
        ("facts", "   "),
        ("unexpected", "x"),
    ],
)
def test_validate_fields_malformed_raises_naming_field(field: str, value: Any) -> None:
    with pytest.raises(InvalidDocumentField) as info:
        validate_fields(DocType.DECISION_INSTITUTE_CASE, {**CASE_FIELDS, field: value})
    assert info.value.field == field
    assert info.value.message


def test_validate_fields_malformed_nested_raises_dotted_path() -> None:
    data = {**NOTICE_FIELDS, "person": {"full_name": "Đặng Quốc Khánh", "birth_year": 1700}}
    with pytest.raises(InvalidDocumentField) as info:
        validate_fields(DocType.PUBLIC_NOTIFICATION, data)
    assert info.value.field == "person.birth_year"


def test_validate_fields_notification_shorter_than_three_days_raises_posted_until() -> None:
    data = {**NOTICE_FIELDS, "posted_until": "2026-12-06"}
    with pytest.raises(InvalidDocumentField) as info:
        validate_fields(DocType.PUBLIC_NOTIFICATION, data)
    assert info.value.field == "posted_until"


def test_validate_fields_record_ending_before_start_raises_ended_at() -> None:
    data = {
        "started_at": "2026-12-05T10:00:00",
        "ended_at": "2026-12-05T09:00:00",
        "place": "Trụ sở",
        "interviewer_name": "Lê Minh Tuấn",
        "interviewer_title": "Điều tra viên",
        "deponent": {"full_name": "Nguyễn Thị Hường"},
        "deponent_capacity": "witness",
        "statement": "Tôi không biết.",
    }
    with pytest.raises(InvalidDocumentField) as info:
        validate_fields(DocType.STATEMENT_RECORD, data)
    assert info.value.field == "ended_at"


def test_validate_fields_several_errors_all_listed() -> None:
    data = {k: v for k, v in CASE_FIELDS.items() if k not in {"facts", "offence_name"}}
    with pytest.raises(InvalidDocumentField) as info:
        validate_fields(DocType.DECISION_INSTITUTE_CASE, data)
    assert {field for field, _ in info.value.errors} == {"facts", "offence_name"}


def test_validate_fields_not_a_mapping_raises_naming_fields() -> None:
    with pytest.raises(InvalidDocumentField) as info:
        validate_fields(DocType.SUMMONS, ["not", "a", "mapping"])  # type: ignore[arg-type]
    assert info.value.field == "fields"
