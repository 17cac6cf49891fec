"""Run the platform simulator: ``python -m platforms --state-dir DIR --port P``.

Every flag has an environment variable (the flag wins):

=====================  =========================  ==========================================
flag                   environment variable       meaning (default)
=====================  =========================  ==========================================
``--state-dir``        ``HOSO_SIM_STATE_DIR``     directory of the SQLite state (required)
``--host``             ``HOSO_SIM_HOST``          address to bind (127.0.0.1)
``--port``             ``HOSO_SIM_PORT``          port (8765)
``--webhook-url``      ``HOSO_SIM_WEBHOOK_URL``   hoso's webhook endpoint; ``{platform}`` is
                                                  replaced by vneid/egov/ndc (none: events
                                                  stay pending until a URL is configured)
(env only)             ``HOSO_SIM_WEBHOOK_SECRET`` master webhook secret, UTF-8 (a fixed
                                                  dev secret when unset)
``--day-seconds``      ``HOSO_SIM_DAY_SECONDS``   real seconds per legal day (86400; e.g. 300
                                                  makes a legal day last five minutes)
``--seed``             ``HOSO_SIM_SEED``          seed of the simulated error rates (0)
``--public-url``       ``HOSO_SIM_PUBLIC_URL``    base of links in evidence (request URL)
=====================  =========================  ==========================================
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["DEV_WEBHOOK_SECRET", "main"]

DEV_WEBHOOK_SECRET = "hoso-dev-platform-webhook-secret"
DEFAULT_PORT = 8765


def _parser() -> argparse.ArgumentParser:
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="python -m platforms",
        description="Simulator of hoso's external platforms (TEST ONLY).",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=env("HOSO_SIM_STATE_DIR"),
        required=env("HOSO_SIM_STATE_DIR") is None,
        help="directory of the SQLite state [HOSO_SIM_STATE_DIR]",
    )
    parser.add_argument(
        "--host", default=env("HOSO_SIM_HOST", "127.0.0.1"), help="[HOSO_SIM_HOST] 127.0.0.1"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(env("HOSO_SIM_PORT", DEFAULT_PORT)),
        help=f"[HOSO_SIM_PORT] {DEFAULT_PORT}",
    )
    parser.add_argument(
        "--webhook-url",
        default=env("HOSO_SIM_WEBHOOK_URL"),
        help="hoso's webhook endpoint, {platform} replaced [HOSO_SIM_WEBHOOK_URL]; "
        "the secret comes from HOSO_SIM_WEBHOOK_SECRET",
    )
    parser.add_argument(
        "--day-seconds",
        type=float,
        default=float(env("HOSO_SIM_DAY_SECONDS", 86_400)),
        help="real seconds per legal day, e.g. 300 for a demo [HOSO_SIM_DAY_SECONDS] 86400",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=int(env("HOSO_SIM_SEED", 0)),
        help="seed of simulated error rates [HOSO_SIM_SEED] 0",
    )
    parser.add_argument(
        "--public-url",
        default=env("HOSO_SIM_PUBLIC_URL"),
        help="base of links in evidence [HOSO_SIM_PUBLIC_URL] the request URL",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the flags and serve until interrupted."""
    args = _parser().parse_args(argv)
    if args.day_seconds <= 0:
        print("--day-seconds must be positive", file=sys.stderr)
        return 2
    secret = os.environ.get("HOSO_SIM_WEBHOOK_SECRET")
    if not secret:
        print("HOSO_SIM_WEBHOOK_SECRET unset: using the fixed dev secret", file=sys.stderr)
        secret = DEV_WEBHOOK_SECRET

    import uvicorn

    from platforms.simulator import create_simulator_app

    app = create_simulator_app(
        args.state_dir,
        webhook_url=args.webhook_url,
        webhook_secret=secret.encode(),
        day_seconds=args.day_seconds,
        seed=args.seed,
        public_url=args.public_url,
    )
    print(
        f"hoso platform simulator on http://{args.host}:{args.port} (state: {args.state_dir})",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
