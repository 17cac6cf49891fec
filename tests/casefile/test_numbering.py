"""Numbers that never repeat and never skip: case serials, documents, records, parties."""

import threading

import pytest
from sqlalchemy import select

from casefile.blobstore import FileBlobStore
from casefile.db import transaction
from casefile.models import Document
from tests.conftest import Database
from tests.factories import add_document, create_case


@pytest.mark.usefixtures("demo_tokens")
def test_documents_filed_concurrently_get_consecutive_numbers(
    database: Database, blobs: FileBlobStore
) -> None:
    """Several workers file into one case at once: no gap, no duplicate (Art. 10(3))."""
    with transaction(database.sessions) as session:
        case_id = create_case(session).id
    workers, per_worker, pages = 6, 5, 2
    barrier = threading.Barrier(workers)
    failures: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(per_worker):
                with transaction(database.sessions) as session:
                    from casefile.models import Case

                    add_document(session, session.get(Case, case_id), blobs, pages=pages)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    with database.sessions() as session:
        documents = session.scalars(
            select(Document).where(Document.case_id == case_id).order_by(Document.number)
        ).all()
    total = workers * per_worker
    assert [d.number for d in documents] == list(range(1, total + 1))
    records = sorted((d.first_record, d.last_record) for d in documents)
    assert records == [(1 + pages * n, pages * (n + 1)) for n in range(total)]
    assert len({d.code for d in documents}) == total


@pytest.mark.usefixtures("demo_tokens")
def test_rolled_back_filing_gives_its_numbers_back(
    database: Database, blobs: FileBlobStore
) -> None:
    with transaction(database.sessions) as session:
        case = create_case(session)
    with pytest.raises(RuntimeError):
        with transaction(database.sessions) as session:
            add_document(session, session.merge(case), blobs, pages=3)
            raise RuntimeError("signing failed after numbering")
    with transaction(database.sessions) as session:
        document = add_document(session, session.merge(case), blobs)
    assert (document.number, document.first_record) == (1, 1)


@pytest.mark.usefixtures("demo_tokens")
def test_case_serials_are_consecutive_per_agency_and_year(database: Database) -> None:
    with transaction(database.sessions) as session:
        codes = [create_case(session).code for _ in range(3)]
    assert [code.split("-")[2] for code in codes] == ["000001", "000002", "000003"]
