"""The share image itself: a 1,200 × 630 PNG drawn with Pillow, the same pixels everywhere.

1,200 × 630 (1.91:1) is the size Facebook, LinkedIn, Slack, Discord and X's
summary_large_image all show without cropping. The type is DejaVu Sans, shipped in fonts/
with its licence, and laid out by Pillow's own basic layout rather than Raqm (which Pillow
uses when the system has it), so a render does not depend on what the machine has installed.
(The compressed bytes also depend on the system's zlib, which Pillow's wheel links.)
Colours are the site's light palette (static/css/site.css).

Everything here is pure drawing: it takes words, never a form or a request.
"""

import io
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .headline import Headline

WIDTH, HEIGHT = 1200, 630
SITE_NAME = "GradAcc"
FONTS = Path(__file__).resolve().parent / "fonts"

# static/css/site.css, :root
BG = (0xFF, 0xFF, 0xFF)
FG = (0x1A, 0x1C, 0x20)
MUTED = (0x55, 0x5B, 0x66)
LINE = (0xD5, 0xD9, 0xE0)
PANEL = (0xF4, 0xF6, 0xF9)
ACCENT = (0x1D, 0x4E, 0xD8)
ACCENT_FG = (0xFF, 0xFF, 0xFF)

MARGIN = 64
INNER = WIDTH - 2 * MARGIN
FIGURES_TOP = 206
FOOTER_TOP = 524
VALUE_LARGEST, VALUE_GOOD, VALUE_SMALLEST = 112, 88, 40
LABEL_NARROWEST = 250  # px: "accumulation steps" at 28 px is 249


def shades(fg, bg, steps: int = 8):
    """`steps` tones from bg to fg: the edge pixels of antialiased text in fg on bg."""
    return [
        tuple(round(b + (f - b) * i / (steps - 1)) for f, b in zip(fg, bg, strict=True))
        for i in range(steps)
    ]


# Every colour the image may hold. Text is antialiased on flat colours, so a palette of each
# text colour's tones over its background keeps edges smooth in a fraction of a true-colour
# PNG's bytes, and quantizing to a fixed palette is several times faster than choosing one
# (2 ms against 15 ms). Eight tones a pair, not more: Pillow matches a pixel to the palette
# through a cache of 4-level boxes, and with sixteen the white background came out #fcfcfd.
PALETTE = list(
    dict.fromkeys(
        [
            *shades(FG, BG),
            *shades(MUTED, BG),
            *shades(ACCENT, BG),
            *shades(MUTED, PANEL),
            LINE,
            ACCENT_FG,
        ]
    )
)


@cache
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size, layout_engine=ImageFont.Layout.BASIC)


def width_of(text: str, face: ImageFont.FreeTypeFont) -> float:
    return face.getlength(text)


def ellipsize(text: str, face: ImageFont.FreeTypeFont, width: float) -> str:
    if width_of(text, face) <= width:
        return text
    while text and width_of(text + "…", face) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def largest_size(texts, width: float, largest: int, smallest: int, bold: bool) -> int:
    """The largest type size (in steps of 2 px) at which every text fits `width`."""
    size = largest
    while size > smallest and any(width_of(t, font(size, bold)) > width for t in texts):
        size -= 2
    return size


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float, max_lines: int) -> list[str]:
    """Greedy word wrap; the last line allowed ends in an ellipsis if the text runs on."""
    lines: list[str] = []
    words = text.split(" ")  # not split(): a no-break space keeps its words on one line
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and width_of(f"{line} {words[0]}", face) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        lines[-1] = ellipsize(f"{lines[-1]} {' '.join(words)}", face, width)
    return [ellipsize(line, face, width) for line in lines]


def wrap_items(items, face: ImageFont.FreeTypeFont, width: float, max_lines: int) -> list[str]:
    """Phrases joined by middle dots, each line breaking only between phrases."""
    lines: list[str] = []
    for item in items:
        if lines and width_of(f"{lines[-1]} · {item}", face) <= width:
            lines[-1] = f"{lines[-1]} · {item}"
        elif len(lines) < max_lines:
            lines.append(item)
        else:
            lines[-1] = ellipsize(f"{lines[-1]} · {item}", face, width)
            break
    return [ellipsize(line, face, width) for line in lines]


def draw_logo(draw: ImageDraw.ImageDraw, x: int, y: int, size: int) -> None:
    """static/favicon.svg: a rounded square with three rising bars, on a 32-unit grid."""
    unit = size / 32
    draw.rounded_rectangle((x, y, x + size, y + size), radius=round(6 * unit), fill=ACCENT)
    for left, top in ((7, 17), (14, 13), (21, 8)):
        box = (x + left * unit, y + top * unit, x + (left + 4) * unit, y + 23 * unit)
        draw.rectangle(tuple(round(v) for v in box), fill=ACCENT_FG)


def draw_header(draw: ImageDraw.ImageDraw, title: str, group: str) -> None:
    draw.rectangle((0, 0, WIDTH, 10), fill=ACCENT)
    draw_logo(draw, MARGIN, 44, 44)
    draw.text((MARGIN + 60, 66), SITE_NAME, font=font(32, True), fill=FG, anchor="lm")
    if group:
        draw.text((WIDTH - MARGIN, 66), group, font=font(24), fill=MUTED, anchor="rm")
    size = largest_size([title], INNER, 50, 34, bold=True)
    draw.text((MARGIN, 126), ellipsize(title, font(size, True), INNER), font=font(size, True),
              fill=FG, anchor="la")  # fmt: skip


def value_columns(values, width: float, gap: int) -> tuple[int, list[float]]:
    """One type size for every value, so the figures read as a row of equals, and the width
    of each figure's column. Equal columns while they hold the values at a good size; else
    each column as wide as its value needs (a model's name beside a count), never so narrow
    that its label cannot wrap."""
    n = len(values)
    room = width - gap * (n - 1)
    size = largest_size(values, room / n, VALUE_LARGEST, VALUE_SMALLEST, bold=True)
    if size >= VALUE_GOOD or n == 1:
        return size, [room / n] * n
    for size in range(VALUE_LARGEST, VALUE_SMALLEST - 1, -2):
        needs = [max(width_of(v, font(size, True)), LABEL_NARROWEST) for v in values]
        if sum(needs) <= room:
            break
    spare = (room - sum(needs)) / n
    return size, [need + spare for need in needs]


def draw_figures(draw: ImageDraw.ImageDraw, headline: Headline) -> None:
    figures = headline.figures[:3]
    gap = 48
    size, widths = value_columns([f.value for f in figures], INNER, gap)
    value_font, label_font, note_font = font(size, True), font(28), font(28)
    labels = [wrap(f.label, label_font, w, 3) for f, w in zip(figures, widths, strict=True)]
    notes = wrap(headline.note, note_font, INNER, 2) if headline.note else []
    ascent, descent = value_font.getmetrics()
    below = descent // 2 + 12  # room for a value's descender (the "p" of "gpt-oss")
    label_height = 36 * max(len(lines) for lines in labels)
    height = ascent + below + label_height + (24 + 36 * len(notes) if notes else 0)
    # The block sits in the middle of the space between the title and the footer.
    top = round(FIGURES_TOP + max(0, (FOOTER_TOP - 20 - FIGURES_TOP - height) / 2))
    label_top = top + ascent + below
    x = MARGIN
    for i, (figure, column, lines) in enumerate(zip(figures, widths, labels, strict=True)):
        if i:
            draw.line(
                (x - gap / 2, top + 16, x - gap / 2, label_top + label_height), fill=LINE, width=2
            )
        value = ellipsize(figure.value, value_font, column)
        draw.text((x, top), value, font=value_font, fill=ACCENT, anchor="la")
        for n, line in enumerate(lines):
            draw.text((x, label_top + 36 * n), line, font=label_font, fill=MUTED, anchor="la")
        x += column + gap
    for n, line in enumerate(notes):
        y = label_top + label_height + 24 + 36 * n
        draw.text((MARGIN, y), line, font=note_font, fill=FG, anchor="la")


def draw_blurb(draw: ImageDraw.ImageDraw, blurb: str) -> None:
    face = font(34)
    for n, line in enumerate(wrap(blurb, face, INNER, 5)):
        draw.text((MARGIN, 226 + 50 * n), line, font=face, fill=FG, anchor="la")


def draw_footer(draw: ImageDraw.ImageDraw, inputs: tuple[str, ...]) -> None:
    draw.rectangle((0, FOOTER_TOP, WIDTH, HEIGHT), fill=PANEL)
    draw.line((0, FOOTER_TOP, WIDTH, FOOTER_TOP), fill=LINE, width=2)
    face = font(26)
    items = inputs or ("Open the link: every answer shows its formula and its sources",)
    lines = wrap_items(items, face, INNER, 2)
    middle = (FOOTER_TOP + HEIGHT) / 2
    first = middle - 18 * (len(lines) - 1)
    for n, line in enumerate(lines):
        draw.text((MARGIN, first + 36 * n), line, font=face, fill=MUTED, anchor="lm")


def render(title: str, group: str, headline: Headline | None, blurb: str = "") -> bytes:
    """The PNG for one answer, or for the tool in general when `headline` is None."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BG)
    draw = ImageDraw.Draw(image)
    draw_header(draw, title, group)
    if headline is not None and headline.figures:
        draw_figures(draw, headline)
    else:
        draw_blurb(draw, blurb)
    draw_footer(draw, headline.inputs if headline is not None else ())
    return png_bytes(image)


@cache
def palette_image() -> Image.Image:
    image = Image.new("P", (1, 1))
    image.putpalette([channel for colour in PALETTE for channel in colour])
    return image


def png_bytes(image: Image.Image) -> bytes:
    # No dithering: flat areas stay flat, which is what makes the PNG small. Pillow writes no
    # timestamp or text chunk unless asked, so the same drawing gives the same bytes.
    paletted = image.quantize(palette=palette_image(), dither=Image.Dither.NONE)
    out = io.BytesIO()
    # zlib's default level: level 9 (optimize=True) saves a tenth of the bytes at six times
    # the time (24 KB in 8 ms against 22 KB in 50 ms, the flagship's image).
    paletted.save(out, format="PNG")
    return out.getvalue()
