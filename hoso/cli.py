"""``hoso``: run, operate and verify a hoso installation.

hoso dev                  the whole embedded stack (what ``make run`` starts)
hoso serve                the API (uvicorn)
hoso worker [--queue Q]   the Temporal worker(s) of the chosen task queues
hoso migrate              bring the database schema up to date
hoso demo                 load the demo agencies and users (prints their tokens)
hoso audit verify         recompute the audit chain; exit 1 naming the first bad event
hoso status-relay         publish status changes to the common database (art. 18(4))
hoso export CASE-CODE     write the case file as an ASiC-E bundle sealed by its agency
hoso verify FILE          validate a signed PDF, or a bundle (.asice), offline
"""

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from casefile.settings import Settings, SettingsError, get_settings

__all__ = ["main"]


def _settings_or_exit() -> Settings:
    try:
        return get_settings()
    except SettingsError as exc:
        print(f"hoso: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _migrate(settings: Settings) -> None:
    from casefile.db import make_engine, migrate

    engine = make_engine(settings.effective_database_url)
    migrate(engine)
    engine.dispose()


def _demo(settings: Settings) -> dict[str, str]:
    from casefile.db import make_engine, make_session_factory, transaction
    from casefile.demo import load_demo_data

    engine = make_engine(settings.effective_database_url)
    with transaction(make_session_factory(engine)) as session:
        tokens = load_demo_data(session, settings.data_dir / "demo-tokens.json")
    engine.dispose()
    return tokens


def _audit_verify(settings: Settings) -> int:
    from casefile.audit import verify_chain
    from casefile.db import make_engine, make_session_factory

    engine = make_engine(settings.effective_database_url)
    with make_session_factory(engine)() as session:
        count, broken = verify_chain(session)
    engine.dispose()
    if broken is not None:
        print(f"audit chain BROKEN at {broken} ({count} events verified before it)")
        return 1
    print(f"audit chain intact: {count} events verified")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hoso", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dev", help="run the embedded stack (Temporal, worker, API)")
    commands.add_parser("serve", help="run the API")
    worker = commands.add_parser("worker", help="run the Temporal worker(s)")
    worker.add_argument(
        "--queue",
        action="append",
        metavar="QUEUE",
        help="poll only this queue (repeatable): casefile, or one platform's queue "
        "(account, ndc_app, portal, newspaper, broadcast); default: all",
    )
    commands.add_parser("migrate", help="migrate the database")
    commands.add_parser(
        "status-relay", help="publish the status outbox to the common database (HOSO_STATUSDB_URL)"
    )
    commands.add_parser("demo", help="load demo agencies and users")
    audit = commands.add_parser("audit", help="the audit log")
    audit.add_argument("action", choices=["verify"])
    export = commands.add_parser(
        "export", help="write a case file as an ASiC-E bundle sealed by its owning agency"
    )
    export.add_argument("case_code", metavar="CASE-CODE")
    export.add_argument(
        "--user", required=True, help="the officer making the copy (logged, art. 4(4))"
    )
    export.add_argument("--output", type=Path, help="where to write (default CASE-CODE.asice)")
    verify = commands.add_parser(
        "verify", help="validate a signed PDF, or a case-file bundle (.asice), offline"
    )
    verify.add_argument("file", type=Path)
    verify.add_argument("--format", choices=["text", "json", "xml"], default="text")
    verify.add_argument("--trust-roots", type=Path, action="append", metavar="FILE_OR_DIR")
    args = parser.parse_args(argv)

    settings = _settings_or_exit()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for chatty in ("alembic", "httpx"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    match args.command:
        case "dev":
            from hoso.devstack import run_dev_stack

            return run_dev_stack(settings, migrate=_migrate, load_demo=_demo)
        case "serve":
            import uvicorn

            from api.main import create_app

            uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port)
            return 0
        case "worker":
            from worker import QUEUES, run_worker

            unknown = sorted(set(args.queue or ()) - set(QUEUES))
            if unknown:
                print(
                    f"hoso: unknown queue {unknown[0]!r} (known: {', '.join(QUEUES)})",
                    file=sys.stderr,
                )
                return 2
            asyncio.run(run_worker(settings, queues=args.queue or QUEUES))
            return 0
        case "status-relay":
            from activities.status_sync import run_status_relay

            if not settings.statusdb_url:
                print("hoso: HOSO_STATUSDB_URL is empty: nothing to relay to", file=sys.stderr)
                return 2
            asyncio.run(run_status_relay(settings))
            return 0
        case "migrate":
            _migrate(settings)
            print("database migrated")
            return 0
        case "demo":
            for username, token in _demo(settings).items():
                print(f"{username}\t{token}")
            return 0
        case "audit":
            return _audit_verify(settings)
        case "export":
            from hoso.export import export_case

            return export_case(args.case_code, settings, username=args.user, output=args.output)
        case "verify":
            from hoso.verify import verify_file
            from hoso.verify_bundle import is_bundle, verify_bundle_file

            if is_bundle(args.file):
                return verify_bundle_file(
                    args.file, settings, output=args.format, trust_roots=args.trust_roots
                )

            return verify_file(
                args.file, settings, output=args.format, trust_roots=args.trust_roots
            )
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
