"""A participant's copy: the filed PDF with a visible watermark on every page naming who
took it and when.

Legal basis: Joint Circular art. 15(2) (participants copy documents of the file; the
copying is monitored and logged), art. 4(4) (no unauthorised copying or providing of data).

The watermark is an **incremental update**: the copy starts with the filed bytes unchanged,
so each signature's signed revision is still there to verify (the copy's first
``len(original)`` bytes *are* the original, whose SHA-256 the watermark prints). A validator
shown the copy itself reports the signatures intact but the document modified after signing
(pyHanko: ``modification_level=OTHER``), which is the truth about a copy: it cannot pass for
the original.

Synchronous and CPU-bound (pyHanko's writer and font subsetting, no network): call it from
a worker thread, never on an event loop.
"""

from __future__ import annotations

import functools
import unicodedata
from io import BytesIO
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStamp, TextStampStyle

from casefile.fonts import SERIF_REGULAR, font_codepoints
from casefile.signing.pades import Box, _escape, _FontBytesFactory, _wrap

__all__ = ["WATERMARK_FONT_SIZE", "watermark_copy"]

WATERMARK_FONT_SIZE = 7
"""Small enough to sit in the 20 mm top margin of hoso's documents."""
EDGE = 6
"""Distance of the watermark from the page's top edge, in points."""


@functools.lru_cache(maxsize=4)
def _font_at_1000_units_per_em(path: Path, mtime_ns: int) -> tuple[bytes, frozenset[int]]:
    """The font rescaled to 1000 units per em, and the code points it covers.

    pyHanko 0.38 writes the glyph widths (``/W``) and kerning in the font's own units, where
    PDF wants thousandths of an em: Liberation Serif has 2048 units per em, so viewers would
    spread every letter twice as wide as the box laid out for it."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    with TTFont(str(path)) as font:
        scale_upem(font, 1000)
        out = BytesIO()
        font.save(out)
    return out.getvalue(), font_codepoints(path)


def _style(font_file: Path, text: str) -> TextStampStyle:
    """The given font, or the full serif font for a name outside its cut."""
    needed = {ord(c) for c in text if not c.isspace()}
    for path in (font_file, SERIF_REGULAR):
        data, covered = _font_at_1000_units_per_em(path, path.stat().st_mtime_ns)
        if needed <= covered or path == SERIF_REGULAR:
            break
    # the same size on the glyph accumulator and the text box, or lines overlap
    font = _FontBytesFactory(data, WATERMARK_FONT_SIZE)
    return TextStampStyle(
        stamp_text=_escape(text),
        text_box_style=TextBoxStyle(font=font, font_size=WATERMARK_FONT_SIZE),
        border_width=1,
    )


def _page_box(page: generic.DictionaryObject) -> tuple[float, float, float, float]:
    """The visible area of a page (CropBox, else MediaBox), inherited from the page tree."""
    node: generic.DictionaryObject | None = page
    while node is not None:
        for key in ("/CropBox", "/MediaBox"):
            if key in node:
                x1, y1, x2, y2 = (float(v) for v in node[key])
                return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return 0.0, 0.0, 595.0, 842.0  # A4, the PDF default when no box is given


def watermark_copy(pdf: bytes, text: str, *, font_file: Path = SERIF_REGULAR) -> bytes:
    """Return ``pdf`` with ``text`` stamped across the top of every page, in a box, in a font
    complete for Vietnamese (the signature font of ``SigningEnvironment.font_file``, or
    Liberation Serif 2); the text is normalized to NFC. ``pdf`` itself is not changed."""
    text = unicodedata.normalize("NFC", text)
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    page_count = int(writer.root["/Pages"]["/Count"])
    boxes = [
        _page_box(writer.find_page_for_modification(index)[0].get_object())
        for index in range(page_count)
    ]
    narrowest = min(x2 - x1 for x1, _, x2, _ in boxes)
    wrapped = _wrap(text, Box(0, 0, 0, narrowest - 2 * EDGE, 0), WATERMARK_FONT_SIZE)
    stamp = TextStamp(writer=writer, style=_style(font_file, wrapped))
    stamp.register()  # lays the text out once; every page paints the same form XObject
    width, height = stamp.box.width, stamp.box.height
    for index, (x1, _, x2, y2) in enumerate(boxes):
        stamp.apply(index, x1 + max(EDGE, (x2 - x1 - width) / 2), y2 - EDGE - height)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
