"""A simulator of the external platforms hoso notifies and delivers through (TEST ONLY).

See :func:`create_simulator_app` and ``python -m platforms --help``.
"""

from platforms.simulator.app import create_simulator_app
from platforms.simulator.clock import Clock, LegalCalendar, ManualClock, SystemClock
from platforms.simulator.service import Platform, PlatformError, Simulator, SimulatorConfig
from platforms.simulator.webhooks import derive_platform_secret, sign_body, verify_signature

__all__ = [
    "Clock",
    "LegalCalendar",
    "ManualClock",
    "Platform",
    "PlatformError",
    "Simulator",
    "SimulatorConfig",
    "SystemClock",
    "create_simulator_app",
    "derive_platform_secret",
    "sign_body",
    "verify_signature",
]
