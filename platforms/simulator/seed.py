"""Demo people of the national population database and their e-transaction accounts.

Seeded deterministically on every start (``INSERT OR IGNORE``: changes made through the
control endpoints survive a restart). Each person exercises one branch of the delivery
chain of Joint Circular art. 9(4):

- ``001090000001`` an active account that receives, opens and confirms quickly;
- ``079085000002`` an active account that receives but never opens;
- ``048092000003`` an active account that opens but never confirms (slower);
- ``031078000004`` a suspended account: deliveries are accepted, nothing ever happens;
- ``036099000006`` an account never activated: likewise silent;
- ``001065000005`` no account at all (paper delivery, art. 9(4)(b));
- ``026101000007`` detained (irrelevant to the register), with an active account.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["AccountStatus", "SeedPerson", "SEED_PEOPLE", "account_id_for", "seed"]


class AccountStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class SeedPerson:
    national_id: str
    full_name: str
    birth_year: int
    residence: str
    account_status: AccountStatus | None
    """None: the person has no electronic transaction account."""
    delivered_after: float = 1.0
    opened_after: float | None = 3.0
    confirmed_after: float | None = 6.0


def account_id_for(national_id: str) -> str:
    """The e-transaction account id of a seeded person (shared by VNeID and e-gov)."""
    return f"TK{national_id}"


SEED_PEOPLE: tuple[SeedPerson, ...] = (
    SeedPerson(
        "001090000001",
        "Nguyễn Văn An",
        1990,
        "Số 12 phố Hàng Bạc, phường Hoàn Kiếm, thành phố Hà Nội",
        AccountStatus.ACTIVE,
        delivered_after=1.0,
        opened_after=3.0,
        confirmed_after=6.0,
    ),
    SeedPerson(
        "079085000002",
        "Trần Thị Bích",
        1985,
        "Số 45 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh",
        AccountStatus.ACTIVE,
        delivered_after=2.0,
        opened_after=None,
        confirmed_after=None,
    ),
    SeedPerson(
        "048092000003",
        "Lê Văn Cường",
        1992,
        "Tổ 7, phường Hải Châu, thành phố Đà Nẵng",
        AccountStatus.ACTIVE,
        delivered_after=5.0,
        opened_after=20.0,
        confirmed_after=None,
    ),
    SeedPerson(
        "031078000004",
        "Phạm Thị Dung",
        1978,
        "Số 3 phố Điện Biên Phủ, phường Hồng Bàng, thành phố Hải Phòng",
        AccountStatus.SUSPENDED,
    ),
    SeedPerson(
        "001065000005",
        "Hoàng Văn Em",
        1965,
        "Thôn Đông, xã Sóc Sơn, thành phố Hà Nội",
        None,
    ),
    SeedPerson(
        "036099000006",
        "Vũ Thị Giang",
        1999,
        "Xóm 2, xã Hải Hậu, tỉnh Ninh Bình",
        AccountStatus.INACTIVE,
    ),
    SeedPerson(
        "026101000007",
        "Đặng Văn Hùng",
        2001,
        "Tổ dân phố Ngọc Thụy, phường Bồ Đề, thành phố Hà Nội",
        AccountStatus.ACTIVE,
    ),
)


def seed(db: sqlite3.Connection) -> None:
    """Insert the demo people and accounts that are missing (inside a transaction)."""
    for person in SEED_PEOPLE:
        account_id = account_id_for(person.national_id) if person.account_status else None
        db.execute(
            "INSERT OR IGNORE INTO people (national_id, full_name, birth_year, residence,"
            " account_id) VALUES (?, ?, ?, ?, ?)",
            (person.national_id, person.full_name, person.birth_year, person.residence, account_id),
        )
        if person.account_status is not None:
            db.execute(
                "INSERT OR IGNORE INTO accounts (account_id, national_id, status,"
                " delivered_after, opened_after, confirmed_after) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    account_id,
                    person.national_id,
                    person.account_status.value,
                    person.delivered_after,
                    person.opened_after,
                    person.confirmed_after,
                ),
            )
