"""Issuance benchmark: the same render, sign (B-T) and register-stamp calls in a bare loop
and through the running stack (``python -m bench.issuance``; see bench/README.md)."""
