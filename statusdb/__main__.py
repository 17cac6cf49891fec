"""Run the common database: ``python -m statusdb [--host H] [--port P]``.

Configuration from ``STATUSDB_*`` variables (statusdb.settings): ``STATUSDB_DATA_DIR``,
``STATUSDB_DATABASE_URL``, ``STATUSDB_HOST``, ``STATUSDB_PORT``,
``STATUSDB_MASTER_SECRET``, ``STATUSDB_AGENCY_SECRETS``. The flags win over the variables.
"""

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Check the configuration, migrate the database and serve until interrupted."""
    from statusdb.settings import SettingsError, get_settings

    try:
        settings = get_settings()
    except SettingsError as exc:
        sys.stderr.write(f"statusdb: {exc}\n")
        return 2
    parser = argparse.ArgumentParser(
        prog="python -m statusdb", description="The common database of art. 18(4)."
    )
    parser.add_argument("--host", default=settings.host, help=f"[STATUSDB_HOST] {settings.host}")
    parser.add_argument(
        "--port", type=int, default=settings.port, help=f"[STATUSDB_PORT] {settings.port}"
    )
    args = parser.parse_args(argv)

    import uvicorn

    from statusdb.app import create_statusdb_app

    app = create_statusdb_app(settings)
    sys.stdout.write(f"hoso common database on http://{args.host}:{args.port}\n")
    sys.stdout.flush()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
