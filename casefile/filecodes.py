"""Electronic file codes and the codes that extend them.

Legal basis: Joint Circular art. 4(1), 10(3), 18(2) (one unique electronic file code per
case, kept through every stage and agency), art. 13(1) (document and record codes).

A case code reads ``AGENCY-YEAR-SERIAL-CC``, e.g. ``CSDTHN-2026-000123-45``: the agency
that opened the file, the year it was opened, a serial within agency and year, and two
check digits. Document (D), record/bút lục (B), party (P) and evidence (V) codes extend
it: ``CSDTHN-2026-000123-45-D000007-12``. Codes are URL-safe (A-Z, 0-9, ``-``).

Check digits follow ISO 7064 MOD 97-10 (as IBAN and Brazil's CNJ number). Unlike IBAN,
every character maps to exactly two decimal digits (0-9 → 00-09, A-Z → 10-35), so each
character has a fixed place in the number: then every single-character substitution
and every swap of two adjacent characters changes the value mod 97 and is detected.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from casefile.errors import InvalidCode

__all__ = [
    "CaseCode",
    "ExtensionKind",
    "ExtendedCode",
    "check_digits",
    "parse_case_code",
    "parse_extended_code",
]

AGENCY_CODE_PATTERN = r"[A-Z][A-Z0-9]{1,11}"
_CASE_RE = re.compile(rf"^({AGENCY_CODE_PATTERN})-(\d{{4}})-(\d{{6}})-(\d{{2}})$")
_EXTENSION_RE = re.compile(r"^(.+)-([DBPV])(\d{6})-(\d{2})$")
SERIAL_WIDTH = 6
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class ExtensionKind(StrEnum):
    DOCUMENT = "D"
    RECORD = "B"  # bút lục: a numbered sheet of the case file
    PARTY = "P"
    EVIDENCE = "V"


def _as_number(body: str) -> int:
    digits = []
    for char in body:
        if char == "-":
            continue
        value = _ALPHABET.find(char)
        if value < 0:
            raise InvalidCode(f"character {char!r} is not allowed in a code")
        digits.append(f"{value:02d}")
    return int("".join(digits))


def check_digits(body: str) -> str:
    """The two ISO 7064 MOD 97-10 check digits for ``body`` (hyphens are ignored)."""
    return f"{98 - (_as_number(body) * 100) % 97:02d}"


def _verify(body: str, given: str, code: str) -> None:
    if (_as_number(body) * 100 + int(given)) % 97 != 1:
        raise InvalidCode(f"{code!r}: the check digits do not match; the code is mistyped")


@dataclass(frozen=True)
class CaseCode:
    """The unique electronic file code of a case (Joint Circular art. 10(3))."""

    agency: str
    year: int
    serial: int

    @classmethod
    def issue(cls, *, agency: str, year: int, serial: int) -> "CaseCode":
        if not re.fullmatch(AGENCY_CODE_PATTERN, agency):
            raise InvalidCode(f"agency code {agency!r} must be 2-12 capital letters or digits")
        if not 1 <= serial < 10**SERIAL_WIDTH:
            raise InvalidCode(f"serial {serial} does not fit {SERIAL_WIDTH} digits")
        return cls(agency=agency, year=year, serial=serial)

    @property
    def body(self) -> str:
        return f"{self.agency}-{self.year:04d}-{self.serial:0{SERIAL_WIDTH}d}"

    def __str__(self) -> str:
        return f"{self.body}-{check_digits(self.body)}"

    def extend(self, kind: ExtensionKind, number: int) -> "ExtendedCode":
        return ExtendedCode(case=self, kind=kind, number=number)


@dataclass(frozen=True)
class ExtendedCode:
    """A document, record, party or evidence code under a case code."""

    case: CaseCode
    kind: ExtensionKind
    number: int

    def __str__(self) -> str:
        if not 1 <= self.number < 10**SERIAL_WIDTH:
            raise InvalidCode(f"number {self.number} does not fit {SERIAL_WIDTH} digits")
        body = f"{self.case}-{self.kind.value}{self.number:0{SERIAL_WIDTH}d}"
        return f"{body}-{check_digits(body)}"


def parse_case_code(code: str) -> CaseCode:
    """Parse and verify a case code; raise :class:`InvalidCode` saying what is wrong."""
    match = _CASE_RE.match(code)
    if not match:
        raise InvalidCode(
            f"{code!r} is not an electronic file code (expected AGENCY-YYYY-NNNNNN-CC)"
        )
    agency, year, serial, given = match.groups()
    _verify(f"{agency}-{year}-{serial}", given, code)
    return CaseCode(agency=agency, year=int(year), serial=int(serial))


def parse_extended_code(code: str, kind: ExtensionKind | None = None) -> ExtendedCode:
    """Parse and verify a document/record/party/evidence code and the case code it extends."""
    match = _EXTENSION_RE.match(code)
    if not match:
        raise InvalidCode(f"{code!r} is not a code of the form CASE-CODE-XNNNNNN-CC")
    case_part, letter, number, given = match.groups()
    case = parse_case_code(case_part)
    _verify(f"{case_part}-{letter}{number}", given, code)
    found = ExtensionKind(letter)
    if kind is not None and found is not kind:
        raise InvalidCode(
            f"{code!r} is a {found.name.lower()} code, not a {kind.name.lower()} code"
        )
    return ExtendedCode(case=case, kind=found, number=int(number))
