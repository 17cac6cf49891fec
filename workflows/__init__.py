"""Durable procedural processes: task queues, workflow ids and search attributes.

Workflow ids are the locks: one process per act (``open-case:<queue>:<request id>``), started
with a reject-duplicate policy, so a repeated request finds the running or finished one.
"""

from temporalio.common import SearchAttributeKey

__all__ = [
    "CASEFILE_TASK_QUEUE",
    "CASE_CODE",
    "AGENCY_CODE",
    "CASE_STAGE",
    "DOCUMENT_CODE",
    "DOCUMENT_TYPE",
    "SEARCH_ATTRIBUTES",
    "issue_document_workflow_id",
    "deliver_document_workflow_id",
    "public_notification_workflow_id",
    "open_case_workflow_id",
    "platform_task_queue",
]

CASEFILE_TASK_QUEUE = "hoso-casefile"
"""Default queue of workflows and database activities (``HOSO_TASK_QUEUE`` overrides it)."""



def platform_task_queue(casefile_queue: str, platform: str) -> str:
    """The queue of one platform's activities (``hoso-casefile.account``): each integration runs
    as its own activity worker with its own rate limit, and a platform that is down holds only
    its own queue's slots, never the case-file worker's. ``platform`` is a notification
    channel's value (casefile.notification.Channel)."""
    return f"{casefile_queue}.{platform}"


CASE_CODE = SearchAttributeKey.for_keyword("CaseCode")
AGENCY_CODE = SearchAttributeKey.for_keyword("AgencyCode")
CASE_STAGE = SearchAttributeKey.for_keyword("CaseStage")
DOCUMENT_CODE = SearchAttributeKey.for_keyword("DocumentCode")
DOCUMENT_TYPE = SearchAttributeKey.for_keyword("DocumentType")
SEARCH_ATTRIBUTES = (CASE_CODE, AGENCY_CODE, CASE_STAGE, DOCUMENT_CODE, DOCUMENT_TYPE)
"""Registered on the Temporal namespace at start-up (``hoso dev`` / deploy)."""


def issue_document_workflow_id(task_queue: str, request_id: str) -> str:
    return f"issue-document:{task_queue}:{request_id}"


def deliver_document_workflow_id(task_queue: str, request_id: str) -> str:
    """One DeliverDocument per document and recipient; the request id names both (e.g.
    ``<issue request id>:<party code>``). The electronic platform call's idempotency key is
    ``<this id>:electronic``, which the platform's webhook echoes back."""
    return f"deliver-document:{task_queue}:{request_id}"


def public_notification_workflow_id(task_queue: str, request_id: str) -> str:
    return f"notify-publicly:{task_queue}:{request_id}"


def open_case_workflow_id(task_queue: str, request_id: str) -> str:
    """One OpenCase per request; the task queue names the instance (agencies may share a
    Temporal server), the request id is ``<actor id>:<Idempotency-Key>``."""
    return f"open-case:{task_queue}:{request_id}"
