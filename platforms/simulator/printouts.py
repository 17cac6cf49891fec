"""PDF printouts and confirmations: the evidence a court files (Joint Circular art. 20(3)(b)).

Rendered with WeasyPrint (already a hoso dependency; imported lazily because the
import costs most of a second, a render about 15 ms) in fonts that cover Vietnamese.
Every printout says it comes from a simulator and is for testing only.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence

__all__ = ["render_printout", "warm_up"]

_STYLE = """
@page { size: A4; margin: 20mm 18mm; }
body { font-family: "Liberation Serif", "Tinos", "DejaVu Serif", serif; font-size: 12pt; }
.banner { border: 1px solid #900; color: #900; padding: 2mm; text-align: center;
          font-size: 9pt; }
.issuer { font-weight: bold; text-transform: uppercase; margin-top: 6mm; }
h1 { font-size: 15pt; text-align: center; margin: 8mm 0 6mm; }
table { border-collapse: collapse; width: 100%; }
td { border: 1px solid #999; padding: 1.5mm 2mm; vertical-align: top; }
td.k { width: 38%; font-weight: bold; }
.text { white-space: pre-wrap; margin-top: 6mm; border-top: 1px solid #999; padding-top: 3mm; }
"""


def _nfc(value: object) -> str:
    return html.escape(unicodedata.normalize("NFC", str(value)))


def render_printout(
    *, issuer: str, heading: str, facts: Sequence[tuple[str, object]], text: str | None = None
) -> bytes:
    """A one-page PDF: issuer, heading, a table of facts, and the published text."""
    from weasyprint import HTML

    rows = "".join(f'<tr><td class="k">{_nfc(k)}</td><td>{_nfc(v)}</td></tr>' for k, v in facts)
    body = f'<div class="text">{_nfc(text)}</div>' if text else ""
    document = (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>{_STYLE}</style>'
        f"<title>{_nfc(heading)}</title></head><body>"
        '<div class="banner">NỀN TẢNG MÔ PHỎNG — CHỈ DÙNG THỬ NGHIỆM (SIMULATOR, TEST ONLY)</div>'
        f'<div class="issuer">{_nfc(issuer)}</div><h1>{_nfc(heading)}</h1>'
        f"<table>{rows}</table>{body}</body></html>"
    )
    return HTML(string=document).write_pdf()


def warm_up() -> None:
    """Import WeasyPrint ahead of the first render (call in a thread at start-up)."""
    import weasyprint  # noqa: F401
