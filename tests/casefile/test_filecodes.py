"""Electronic file codes: format, extension, and ISO 7064 MOD 97-10 error detection."""

import re
import string

import pytest

from casefile.errors import InvalidCode
from casefile.filecodes import (
    CaseCode,
    ExtensionKind,
    parse_case_code,
    parse_extended_code,
)

CASE = CaseCode.issue(agency="CSDTHN", year=2026, serial=123)
CODES = [
    str(CASE),
    str(CaseCode.issue(agency="VKS7", year=2025, serial=999999)),
    str(CASE.extend(ExtensionKind.DOCUMENT, 7)),
    str(CASE.extend(ExtensionKind.RECORD, 120)),
    str(CASE.extend(ExtensionKind.PARTY, 3)),
    str(CASE.extend(ExtensionKind.EVIDENCE, 41)),
]
ALPHABET = string.ascii_uppercase + string.digits + "-"


def _parse(code: str) -> object:
    if code.count("-") <= 3:
        return parse_case_code(code)
    return parse_extended_code(code)


def test_case_code_carries_agency_and_year_and_is_url_safe() -> None:
    code = str(CASE)
    assert re.fullmatch(r"CSDTHN-2026-000123-\d\d", code)
    assert "/" not in code
    assert parse_case_code(code) == CASE


def test_extended_codes_extend_the_case_code_and_round_trip() -> None:
    document = CASE.extend(ExtensionKind.DOCUMENT, 7)
    assert str(document).startswith(str(CASE) + "-D000007-")
    assert parse_extended_code(str(document), ExtensionKind.DOCUMENT) == document


@pytest.mark.parametrize("code", CODES)
def test_code_any_single_character_change_is_detected(code: str) -> None:
    _parse(code)
    changed = 0
    for position, original in enumerate(code):
        for replacement in ALPHABET:
            if replacement == original:
                continue
            mutated = code[:position] + replacement + code[position + 1 :]
            with pytest.raises(InvalidCode):
                _parse(mutated)
            changed += 1
    assert changed == len(code) * (len(ALPHABET) - 1)


@pytest.mark.parametrize("code", CODES)
def test_code_any_adjacent_swap_is_detected(code: str) -> None:
    for position in range(len(code) - 1):
        a, b = code[position], code[position + 1]
        if a == b:
            continue
        swapped = code[:position] + b + a + code[position + 2 :]
        with pytest.raises(InvalidCode):
            _parse(swapped)


def test_code_wrong_check_digits_message_says_so() -> None:
    code = str(CASE)
    wrong = code[:-2] + f"{(int(code[-2:]) + 1) % 100:02d}"
    with pytest.raises(InvalidCode, match="check digits do not match"):
        parse_case_code(wrong)


def test_code_malformed_message_names_the_expected_form() -> None:
    with pytest.raises(InvalidCode, match="AGENCY-YYYY-NNNNNN-CC"):
        parse_case_code("CSDTHN/2026/000123")


def test_extended_code_of_another_kind_is_refused() -> None:
    with pytest.raises(InvalidCode, match="party code, not a document code"):
        parse_extended_code(str(CASE.extend(ExtensionKind.PARTY, 1)), ExtensionKind.DOCUMENT)
