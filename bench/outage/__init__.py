"""Outage benchmark: N deliveries pending while the account platform is down, then the drain
after its recovery (``python -m bench.outage``; see bench/README.md)."""
