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
    "document_delivery_request_id",
    "public_notification_workflow_id",
    "open_case_workflow_id",
    "platform_task_queue",
    "transfer_case_file_workflow_id",
    "receive_case_file_workflow_id",
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
    """One DeliverDocument per document and recipient; the request id names both
    (:func:`document_delivery_request_id`). The electronic platform call's idempotency key is
    ``<this id>:electronic``, which the platform's webhook echoes back."""
    return f"deliver-document:{task_queue}:{request_id}"


def document_delivery_request_id(document_code: str, party_code: str) -> str:
    """``<document code>:<party code>``: the delivery an officer starts and the one started
    after issuing share it, so a recipient never gets two deliveries of one document (the
    id ends with the party code, which the delivery list reads back)."""
    return f"{document_code}:{party_code}"


def public_notification_workflow_id(task_queue: str, request_id: str) -> str:
    return f"notify-publicly:{task_queue}:{request_id}"


def open_case_workflow_id(task_queue: str, request_id: str) -> str:
    """One OpenCase per request; the task queue names the instance (agencies may share a
    Temporal server), the request id is ``<actor id>:<Idempotency-Key>``."""
    return f"open-case:{task_queue}:{request_id}"


def transfer_case_file_workflow_id(task_queue: str, transfer_id: str) -> str:
    """The sender's process of one transfer; the transfer id is shared with the receiver."""
    return f"transfer-case-file:{task_queue}:{transfer_id}"


def receive_case_file_workflow_id(task_queue: str, transfer_id: str) -> str:
    return f"receive-case-file:{task_queue}:{transfer_id}"
