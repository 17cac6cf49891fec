"""Simulated external platforms for the embedded default and the tests (never production).

The simulator lives in :mod:`platforms.simulator`; run it with ``python -m platforms``.
"""
