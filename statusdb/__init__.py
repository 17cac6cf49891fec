"""The common database of Joint Circular art. 18(4): a separate service, with its own
database, that keeps identifiers and statuses of case files (never names, content or
files), the agencies party to each case, and alerts for them. ``python -m statusdb``."""
