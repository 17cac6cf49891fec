"""Font files that cover every Vietnamese glyph, loaded by path (never through fontconfig).

`fonts-liberation2` (Debian) is complete for Vietnamese; `fonts-liberation` 1.x lacks 46
glyphs, so it must never be substituted. scripts/bootstrap.sh installs the package.

The visible signature blocks and register stamps use a *signature font*: Liberation Serif
Regular cut at run time (fontTools' subsetter, never a committed binary) to the Latin
and Vietnamese characters and written to a cache directory
(:func:`ensure_signature_font`). pyHanko parses and subsets the font of every visible
appearance; the full 512 KB file with its layout tables made that half of the CPU of
issuing a document. The cut keeps the glyph outlines and metrics and the TrueType ``kern``
table (kerning), and drops what a signature block does not use: other scripts, the
OpenType layout tables (ligatures, small caps; HarfBuzz places the few combining marks of
non-NFC text by its fallback) and the hinting programs. Text with a character outside the
cut is drawn with the full font (``casefile.signing.pades``).
"""

import hashlib
import logging
import os
import tempfile
import unicodedata
from pathlib import Path

__all__ = [
    "FONT_DIR",
    "SERIF_REGULAR",
    "SERIF_BOLD",
    "SERIF_ITALIC",
    "SERIF_BOLD_ITALIC",
    "SIGNATURE_FONT_UNICODES",
    "VIETNAMESE_LETTERS",
    "ensure_signature_font",
    "font_codepoints",
]

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
SERIF_REGULAR = FONT_DIR / "LiberationSerif-Regular.ttf"
SERIF_BOLD = FONT_DIR / "LiberationSerif-Bold.ttf"
SERIF_ITALIC = FONT_DIR / "LiberationSerif-Italic.ttf"
SERIF_BOLD_ITALIC = FONT_DIR / "LiberationSerif-BoldItalic.ttf"

_VOWELS = "aăâeêioôơuưy"
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
VIETNAMESE_LETTERS: frozenset[str] = frozenset(
    {
        *(
            unicodedata.normalize("NFC", v + t)
            for base in _VOWELS
            for v in (base, base.upper())
            for t in ("", *_TONES)
        ),
        "đ",
        "Đ",
    }
)
"""Every Vietnamese letter with its diacritics, precomposed (NFC): 12 vowels × (no tone +
5 tones) in both cases, and đ/Đ."""

SIGNATURE_FONT_UNICODES: frozenset[int] = frozenset(
    {
        *range(0x20, 0x7F),  # ASCII
        *range(0xA0, 0x100),  # Latin-1 Supplement (à á â ã è é ê ì í ò ó ô õ ù ú ý …)
        *range(0x100, 0x180),  # Latin Extended-A (Ă ă Đ đ Ĩ ĩ Ũ ũ …)
        *range(0x180, 0x250),  # Latin Extended-B (Ơ ơ Ư ư …), as far as the font has them
        *range(0x300, 0x370),  # combining diacritics (text that is not NFC)
        *range(0x1EA0, 0x1EFA),  # Latin Extended Additional: Vietnamese (Ạ … ỹ)
        *range(0x2010, 0x2028),  # dashes (‐ – —), quotes, bullets, ellipsis (…)
        *range(0x2030, 0x203B),  # ‰ ′ ″ ‹ ›
        0x20AB,  # ₫
        0x20AC,  # €
        0x2116,  # №
    }
)
"""Characters of the signature font (those of them that Liberation Serif has)."""

_LAYOUT_FEATURES: list[str] = []
_SUBSET_VERSION = "2"
"""Part of the cache key: bump when the subsetting options above change."""

log = logging.getLogger(__name__)


def font_codepoints(path: Path) -> frozenset[int]:
    """The Unicode code points a font maps to a glyph (its best ``cmap``)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def _required() -> frozenset[int]:
    return frozenset(ord(c) for c in VIETNAMESE_LETTERS) | frozenset(
        [*range(0x20, 0x7F), 0x2013, 0x2026]
    )


def ensure_signature_font(cache_dir: Path, source: Path = SERIF_REGULAR) -> Path:
    """The signature font made from ``source``, generated into ``cache_dir`` if missing.

    The file name carries a digest of the source font's bytes and of the subsetting
    options, so a changed source or recipe makes a new file. Writing is atomic (a
    temporary file renamed into place): concurrent processes may both generate it.

    :raises ValueError: the result misses a Vietnamese letter (a font that is not
        complete for Vietnamese, e.g. Liberation 1.x, was given).
    """
    data = source.read_bytes()
    key = hashlib.sha256(data)
    key.update(repr((_SUBSET_VERSION, _LAYOUT_FEATURES, sorted(SIGNATURE_FONT_UNICODES))).encode())
    target = Path(cache_dir) / f"{source.stem}-vi-{key.hexdigest()[:16]}.ttf"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    from fontTools import subset

    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF"]
    options.legacy_kern = True  # kerning from the TrueType 'kern' table instead of GPOS
    options.hinting = False  # the PDF viewer rasterizes; TrueType hints are not used
    options.drop_tables += ["FFTM"]
    options.name_IDs = ["*"]  # keep the names (PostScript name, copyright, licence)
    options.name_languages = ["*"]
    options.notdef_outline = True
    fonttools_log = logging.getLogger("fontTools")
    level = fonttools_log.level
    fonttools_log.setLevel(max(level, logging.WARNING))
    try:
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(SIGNATURE_FONT_UNICODES))
        subsetter.subset(font)
        missing = _required() - frozenset(font.getBestCmap())
        if missing:
            raise ValueError(
                f"{source} lacks {len(missing)} Vietnamese characters "
                f"({''.join(sorted(map(chr, missing)))}); use Liberation Serif 2"
            )
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".font-", suffix=".ttf")
        try:
            with os.fdopen(fd, "wb") as tmp:
                subset.save_font(font, tmp, options)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
    finally:
        fonttools_log.setLevel(level)
    log.info("signature font %s (%d bytes) made from %s", target, target.stat().st_size, source)
    return target
