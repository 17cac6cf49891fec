"""Font files that cover every Vietnamese glyph, loaded by path (never through fontconfig).

`fonts-liberation2` (Debian) is complete for Vietnamese; `fonts-liberation` 1.x lacks 46
glyphs, so it must never be substituted. scripts/bootstrap.sh installs the package.
"""

from pathlib import Path

__all__ = ["FONT_DIR", "SERIF_REGULAR", "SERIF_BOLD", "SERIF_ITALIC", "SERIF_BOLD_ITALIC"]

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
SERIF_REGULAR = FONT_DIR / "LiberationSerif-Regular.ttf"
SERIF_BOLD = FONT_DIR / "LiberationSerif-Bold.ttf"
SERIF_ITALIC = FONT_DIR / "LiberationSerif-Italic.ttf"
SERIF_BOLD_ITALIC = FONT_DIR / "LiberationSerif-BoldItalic.ttf"
