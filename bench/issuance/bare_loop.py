"""Bare loop: render, sign (certify, B-T) and register-stamp the 2-page decision in one
process, with the very calls and options the IssueDocument activities use, and nothing
else (no Temporal, no database, no blob store, no HTTP API).

Per document and step it measures the CPU time of the calling thread
(``time.thread_time``), of the whole process (``time.process_time``: also counts
helper threads) and the wall time. The demo PKI's TSA, OCSP and CRL services run in
process on the same event loop, as in the worker, so their CPU is part of the sign and
stamp steps here exactly as it is in the worker.

Run alone: ``.venv/bin/python -m bench.issuance.bare_loop [-n 30] [--warmup 3]``.
"""

import argparse
import asyncio
import dataclasses
import json
import logging
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from activities.issuance import OFFICIAL_FIELD, STAMP_FIELD, STAMP_HEIGHT
from bench.issuance import samples
from bench.issuance.stats import out, summary
from casefile.doctypes import SignatureSlot, get_spec
from casefile.fonts import SERIF_REGULAR
from casefile.rendering import RenderedDocument, render_document
from casefile.signing.pades import (
    Box,
    EmptyField,
    PadesLevel,
    RegisterStamp,
    SignatureOptions,
    apply_register_stamp,
    sign_document,
)
from casefile.signing.runtime import SigningRuntime
from casefile.signing.validation import Verdict, validate_pdf

__all__ = ["STEPS", "run_bare_loop"]

STEPS = ("render", "open_key", "sign", "stamp")
"""``open_key``: reading the official's PKCS#12 file, which ``sign_official`` does for
every document before ``sign_document``."""
T = TypeVar("T")


class _Clock:
    """CPU (thread and process) and wall time of one step."""

    def __init__(self) -> None:
        self.thread = self.process = self.wall = 0.0

    def __enter__(self) -> "_Clock":
        self._t, self._p, self._w = time.thread_time(), time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread = time.thread_time() - self._t
        self.process = time.process_time() - self._p
        self.wall = time.perf_counter() - self._w


async def _timed(
    samples_of: dict[str, list[_Clock]], step: str, call: Callable[[], Awaitable[T]]
) -> T:
    with _Clock() as clock:
        result = await call()
    samples_of[step].append(clock)
    return result


async def _one_document(
    runtime: SigningRuntime, index: int, clocks: dict[str, list[_Clock]]
) -> tuple[RenderedDocument, bytes]:
    spec = get_spec(samples.DOC_TYPE)

    async def render() -> RenderedDocument:
        # render_draft is a synchronous activity: called directly, as in its thread
        return render_document(samples.DOC_TYPE, samples.FIELDS, samples.HEADER)

    rendered = await _timed(clocks, "render", render)
    official = rendered.signature_boxes[SignatureSlot.OFFICIAL]
    last_page = rendered.page_count - 1
    signer = await _timed(clocks, "open_key", lambda: runtime.signer(samples.SIGNER_KEY))
    try:
        # the options of IssuanceActivities.sign_official
        options = SignatureOptions(
            field_name=OFFICIAL_FIELD,
            level=PadesLevel.B_T,
            box=Box(official.page, *official.box),
            signer_name=samples.SIGNER_NAME,
            signer_title=samples.SIGNER_TITLE,
            agency=samples.AGENCY_NAME,
            reason=f"Ký ban hành {spec.full_title}",
            location=samples.PLACE,
            certify=True,
            prepare_fields=(
                EmptyField(
                    name=STAMP_FIELD,
                    box=Box(page=last_page, x1=330, y1=6, x2=580, y2=6 + STAMP_HEIGHT),
                    label="Dấu vào sổ hồ sơ điện tử",
                ),
            ),
        )
        signed = await _timed(
            clocks,
            "sign",
            lambda: sign_document(rendered.pdf, signer, runtime.env, options),
        )
    finally:
        await signer.aclose()
    # the stamp of IssuanceActivities.register_document
    stamp = RegisterStamp(
        file_code="CSDTHN-2026-000001-03",
        record_number=f"{2 * index + 1}–{2 * index + 2}",
        agency=samples.AGENCY_NAME,
        procedural_number=f"{index + 1}/QĐ-CSĐT",
        document_code=f"CSDTHN-2026-000001-03-D{index + 1:06d}-00",
        field_name=STAMP_FIELD,
    )
    stamped = await _timed(
        clocks, "stamp", lambda: apply_register_stamp(signed, stamp, runtime.env)
    )
    return rendered, stamped


async def run_bare_loop(
    n: int = 30, warmup: int = 3, pki_dir: Path | None = None, full_font: bool = False
) -> dict[str, Any]:
    """Issue ``warmup`` + ``n`` documents; return the measurements of the last ``n``.

    The blocks are drawn with the runtime's signature font, as in the worker;
    ``full_font`` draws them with the full Liberation Serif file instead (the "before"
    of bench/README.md)."""
    # as in the worker (worker.QUIET_LOGGERS): fontTools logs every font subset at INFO
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="hoso-bench-pki-") as tmp:
        started = time.perf_counter()
        async with SigningRuntime.start(pki_dir or Path(tmp) / "pki") as runtime:
            if full_font:
                runtime.env = dataclasses.replace(runtime.env, font_file=SERIF_REGULAR)
            setup_s = time.perf_counter() - started
            font_file = runtime.env.font_file
            warm: dict[str, list[_Clock]] = {step: [] for step in STEPS}
            for i in range(warmup):
                await _one_document(runtime, i, warm)
            clocks: dict[str, list[_Clock]] = {step: [] for step in STEPS}
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for i in range(n):
                rendered, stamped = await _one_document(runtime, warmup + i, clocks)
            wall = time.perf_counter() - wall0
            cpu = time.process_time() - cpu0
            outcome = await validate_pdf(stamped, runtime.policy)
    if rendered.page_count != 2:
        raise SystemExit(f"the sample decision has {rendered.page_count} pages, not 2")
    totals_thread = [sum(clocks[s][i].thread for s in STEPS) for i in range(n)]
    totals_process = [sum(clocks[s][i].process for s in STEPS) for i in range(n)]
    return {
        "n": n,
        "warmup": warmup,
        "pages": rendered.page_count,
        "pdf_bytes": len(stamped),
        "font_file": str(font_file),
        "last_document_verdict": outcome.verdict.value,
        "last_document_valid": outcome.verdict is Verdict.VALID,
        "signatures": [s.field_name for s in outcome.signatures],
        "setup_s": setup_s,
        "wall_s": wall,
        "process_cpu_s": cpu,
        "docs_per_s": n / wall,
        "steps": {
            step: {
                "thread_cpu": summary([c.thread for c in clocks[step]]),
                "process_cpu": summary([c.process for c in clocks[step]]),
                "wall": summary([c.wall for c in clocks[step]]),
            }
            for step in STEPS
        },
        "total": {
            "thread_cpu": summary(totals_thread),
            "process_cpu": summary(totals_process),
        },
        "first_warmup_ms": {step: warm[step][0].process * 1000 for step in STEPS if warm[step]},
    }


def print_bare_loop(result: dict[str, Any]) -> None:
    out(
        f"bare loop: {result['n']} documents ({result['pages']} pages, "
        f"{result['pdf_bytes']} bytes) in {result['wall_s']:.2f} s = "
        f"{result['docs_per_s']:.2f} docs/s; last document {result['last_document_verdict']}"
    )
    out(
        f"{'step':<10} {'thread CPU ms med/p90':>22} {'process CPU ms med/p90':>24} "
        f"{'wall ms med/p90':>17}"
    )
    rows = [*((s, result["steps"][s]) for s in STEPS), ("total", result["total"])]
    for name, m in rows:
        cells = []
        for key in ("thread_cpu", "process_cpu", "wall"):
            if key in m:
                cells.append(f"{m[key]['median_ms']:7.1f} / {m[key]['p90_ms']:7.1f}")
            else:
                cells.append("")
        out(f"{name:<10} {cells[0]:>22} {cells[1]:>24} {cells[2]:>17}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="documents measured (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="documents before (default 3)")
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument(
        "--full-font",
        action="store_true",
        help="blocks in the full Liberation Serif file (as before the signature font)",
    )
    args = parser.parse_args(argv)
    result = asyncio.run(run_bare_loop(args.n, args.warmup, full_font=args.full_font))
    print_bare_loop(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
