"""Demo agencies and users for the embedded default (never loaded in production).

Tokens are random, stored only as SHA-256; the plain tokens go to a file under the data
directory (mode 0600) so ``make run`` can print them each time it starts.
"""

import json
import os
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.codes import AgencyKind, Ministry, Role, SecrecyLevel
from casefile.models import Agency, User
from casefile.repositories.users import token_digest

__all__ = ["DEMO_AGENCIES", "DEMO_PARTICIPANTS", "DEMO_USERS", "load_demo_data"]

DEMO_AGENCIES = [
    (
        "CSDTHN",
        "Cơ quan Cảnh sát điều tra Công an thành phố Hà Nội",
        "CÔNG AN THÀNH PHỐ HÀ NỘI",
        AgencyKind.INVESTIGATION_AGENCY,
        Ministry.BCA,
    ),
    (
        "VKSHN",
        "Viện kiểm sát nhân dân thành phố Hà Nội",
        "VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO",
        AgencyKind.PROCURACY,
        Ministry.VKSNDTC,
    ),
    (
        "TAHN",
        "Tòa án nhân dân thành phố Hà Nội",
        "TÒA ÁN NHÂN DÂN TỐI CAO",
        AgencyKind.COURT,
        Ministry.TANDTC,
    ),
    (
        "TTGHN",
        "Trại tạm giam số 1 Công an thành phố Hà Nội",
        "CÔNG AN THÀNH PHỐ HÀ NỘI",
        AgencyKind.DETENTION_FACILITY,
        Ministry.BCA,
    ),
    (
        "THAHSHN",
        "Cơ quan thi hành án hình sự Công an thành phố Hà Nội",
        "CÔNG AN THÀNH PHỐ HÀ NỘI",
        AgencyKind.ENFORCEMENT_AGENCY,
        Ministry.BCA,
    ),
]

DEMO_USERS = [
    # username, full name, title, agency, roles, clearance, signing key (demo PKI label)
    (
        "dtv.an",
        "Nguyễn Văn An",
        "Điều tra viên",
        "CSDTHN",
        [Role.INVESTIGATOR],
        SecrecyLevel.SECRET,
        "investigator",
    ),
    (
        "ptt.tuan",
        "Đỗ Minh Tuấn",
        "Phó Thủ trưởng",
        "CSDTHN",
        [Role.HEAD, Role.SUPERVISOR],
        SecrecyLevel.TOP_SECRET,
        "head",
    ),
    (
        "dtv.dung",
        "Phạm Văn Dũng",
        "Điều tra viên",
        "CSDTHN",
        [Role.INVESTIGATOR],
        SecrecyLevel.SECRET,
        "investigator-revoked",
    ),
    (
        "kiemsat.binh",
        "Trần Thị Bình",
        "Kiểm sát viên",
        "VKSHN",
        [Role.PROSECUTOR],
        SecrecyLevel.SECRET,
        "prosecutor",
    ),
    (
        "thamphan.cuong",
        "Lê Văn Cường",
        "Thẩm phán",
        "TAHN",
        [Role.JUDGE],
        SecrecyLevel.SECRET,
        "judge",
    ),
    (
        "thuky.em",
        "Hoàng Văn Em",
        "Thư ký Tòa án",
        "TAHN",
        [Role.CLERK],
        SecrecyLevel.CONFIDENTIAL,
        None,
    ),
    (
        "giamthi.hung",
        "Vũ Đức Hùng",
        "Giám thị",
        "TTGHN",
        [Role.HEAD],
        SecrecyLevel.SECRET,
        None,
    ),
    (
        "thads.lan",
        "Ngô Thị Lan",
        "Thủ trưởng",
        "THAHSHN",
        [Role.HEAD],
        SecrecyLevel.SECRET,
        None,
    ),
    (
        "admin",
        "Quản trị hệ thống",
        "Quản trị viên",
        "CSDTHN",
        [Role.ADMIN],
        SecrecyLevel.UNCLASSIFIED,
        None,
    ),
]


DEMO_PARTICIPANTS = [
    # username, full name, national ID, electronic transaction account: accounts issued by
    # the investigating agency CSDTHN (Joint Circular art. 15(2)); the account sees the cases
    # where a party has this national ID or account, or that an officer linked it to
    (
        "ds.bich",
        "Trần Thị Bích",
        "079085000002",  # a person of the simulator's population database
        "TK079085000002",
    ),
    ("ls.hai", "Ngô Thanh Hải", "001080000010", None),  # a defence counsel
]


def load_demo_data(session: Session, token_file: Path) -> dict[str, str]:
    """Create the demo agencies and users once; return username → bearer token."""
    if session.scalars(select(Agency).where(Agency.code == DEMO_AGENCIES[0][0])).first():
        return json.loads(token_file.read_text()) if token_file.exists() else {}
    agencies = {}
    for code, name, superior, kind, ministry in DEMO_AGENCIES:
        agencies[code] = Agency(
            code=code,
            name=name,
            superior_name=superior,
            kind=kind,
            ministry=ministry,
            place="Hà Nội",
        )
        session.add(agencies[code])
    session.flush()
    tokens = {}
    for username, full_name, title, agency, roles, clearance, signing_key in DEMO_USERS:
        tokens[username] = secrets.token_urlsafe(24)
        session.add(
            User(
                username=username,
                full_name=full_name,
                title=title,
                agency_id=agencies[agency].id,
                roles=[role.value for role in roles],
                clearance=clearance,
                token_sha256=token_digest(tokens[username]),
                signing_key=signing_key,
            )
        )
    for username, full_name, national_id, e_account in DEMO_PARTICIPANTS:
        tokens[username] = secrets.token_urlsafe(24)
        session.add(
            User(
                username=username,
                full_name=full_name,
                title="",
                agency_id=agencies["CSDTHN"].id,
                roles=[Role.PARTICIPANT.value],
                clearance=SecrecyLevel.UNCLASSIFIED,
                token_sha256=token_digest(tokens[username]),
                national_id=national_id,
                e_account=e_account,
            )
        )
    session.flush()
    token_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(tokens, out, indent=2)
    return tokens
