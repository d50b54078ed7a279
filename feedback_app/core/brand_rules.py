"""The rules of the team's brand: its name, a colour white text stays readable on, a logo image we can serve safely.

PURE: standard library only. The brand's table, the settings page and `feedback brand` (feedback_app.core.brand,
feedback_app.branding) apply these rules and translate the problems they name.

The colour is the public pages' accent: buttons carry white text on it, links and the score buttons' borders
use it on white. WCAG 2.x (1.4.3, AA) asks for a contrast of 4.5:1 for normal text; white on the colour is the
pairing checked (a colour that passes it also passes on the white page, since the ratio is symmetric).
The logo is served to every respondent: PNG, JPEG and WebP only, recognised by their first bytes, never by a
file name or a type the browser sent. SVG is refused: it is a document that may carry script.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

NAME_MAX = 80
MIN_CONTRAST = 4.5  # WCAG 2.x AA, normal text
LOGO_MAX_BYTES = 256 * 1024  # shown small; a bigger file only slows every survey page down
WHITE = "#ffffff"

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
# Signatures of the image formats we serve (what the file starts with), and the type we send them as.
_LOGO_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


@dataclass(frozen=True)
class Problem:
    """Why a brand setting is refused: a key the caller translates, and the figures its message needs."""
    field: str   # name, colour or logo
    key: str     # missing, too_long, control, format, contrast, type, too_big, empty
    ratio: float = 0.0


def clean_name(text: str) -> str | Problem:
    """The organisation's name as shown (inner runs of spaces made one), or why it cannot be one."""
    name = " ".join((text or "").split())
    if not name:
        return Problem("name", "missing")
    if any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in name):
        return Problem("name", "control")
    if len(name) > NAME_MAX:
        return Problem("name", "too_long")
    return name


def parse_colour(text: str) -> str | None:
    """'#0A5C36', '0a5c36' or '#0b3' as '#0a5c36' / '#00bb33'; None if it is no hex colour."""
    match = _HEX.fullmatch((text or "").strip())
    if match is None:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(char * 2 for char in digits)
    return "#" + digits


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a '#rrggbb' colour (sRGB channels linearised, then weighted)."""
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(first: str, second: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), the lighter over the darker: 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def check_colour(text: str) -> str | None | Problem:
    """The accent colour as '#rrggbb', None when none is wanted (empty), or why it is refused."""
    if not (text or "").strip():
        return None
    colour = parse_colour(text)
    if colour is None:
        return Problem("colour", "format")
    ratio = contrast_ratio(WHITE, colour)
    if ratio < MIN_CONTRAST:
        return Problem("colour", "contrast", ratio=ratio)
    return colour


def logo_type(data: bytes) -> str | None:
    """The image type of a logo file by its first bytes (PNG, JPEG, WebP), or None for anything else."""
    for signature, media_type in _LOGO_SIGNATURES:
        if data.startswith(signature):
            return media_type
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_logo(data: bytes) -> str | Problem:
    """The media type to serve a logo file as, or why it is refused."""
    if not data:
        return Problem("logo", "empty")
    if len(data) > LOGO_MAX_BYTES:
        return Problem("logo", "too_big")
    media_type = logo_type(data)
    return media_type if media_type is not None else Problem("logo", "type")
