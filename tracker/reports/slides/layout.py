"""Slides laid out once, in inches on a 16:9 page, for both the PowerPoint and the PDF file.

Text is measured with Helvetica's metrics (fpdf2's core font; the .pptx names Arial, which has
the same widths) and wrapped here, line by line, so neither file relies on its reader to wrap:
what does not fit a slide goes on to a "continued" slide, and nothing leaves the page.
"""

from dataclasses import dataclass, field

from fpdf import FPDF

WIDTH, HEIGHT = 40 / 3, 7.5  # inches: PowerPoint's 16:9 (12,192,000 by 6,858,000 EMU)
MARGIN = 0.5
TITLE_SIZE, BODY_SIZE, SMALL_SIZE = 30, 20, 16  # points: readable from the back of a room
LEADING = 1.2  # line height as a multiple of the font size
BODY_TOP = 1.45
BODY_BOTTOM = HEIGHT - 0.45
SAFETY = 0.95  # wrap a little short of the box, for a reader's slightly wider font
MAX_CHARS = 700  # one answer on one slide at most; the app has the rest
FONT = "Arial"
INK, MUTED, ACCENT = "212529", "4A4F55", "0B6E4F"

_REPLACE = str.maketrans({"→": "->", "←": "<-", "≥": ">=", "≤": "<=", "\u00a0": " ",
                          "\t": " ", "\r": ""})


def pdf_safe(text: str) -> str:
    """The text in the core fonts' Windows-1252 (dashes, quotes and bullets included);
    anything else becomes "?" rather than breaking the file."""
    return text.translate(_REPLACE).encode("cp1252", "replace").decode("cp1252")


class _Metrics:
    def __init__(self) -> None:
        self.pdf = FPDF(unit="in")
        self.pdf.core_fonts_encoding = "windows-1252"

    def width(self, text: str, size: int, bold: bool = False) -> float:
        self.pdf.set_font("helvetica", "B" if bold else "", size)
        return self.pdf.get_string_width(pdf_safe(text))


_metrics = _Metrics()


def text_width(text: str, size: int, bold: bool = False) -> float:
    """The width of `text` in inches at `size` points."""
    return _metrics.width(text, size, bold)


def line_height(size: int) -> float:
    return size * LEADING / 72


@dataclass(frozen=True)
class Line:
    text: str
    size: int = BODY_SIZE
    bold: bool = False
    indent: float = 0.0  # inches from the box's left edge
    colour: str = INK
    label: str = ""  # bold words before the text, on the same line


@dataclass
class TextBox:
    x: float
    y: float
    w: float
    h: float
    lines: list[Line] = field(default_factory=list)


@dataclass
class Picture:
    x: float
    y: float
    w: float
    h: float
    png: bytes
    description: str


@dataclass
class Slide:
    title: str
    boxes: list[TextBox | Picture] = field(default_factory=list)
    cover: bool = False  # the title slide: big title, no heading bar


@dataclass(frozen=True)
class Para:
    """A paragraph to flow onto slides: `label` in bold before the text, a bullet when asked."""

    text: str
    label: str = ""
    size: int = BODY_SIZE
    bullet: bool = False
    level: int = 0
    colour: str = INK
    gap: float = 0.08  # inches of space above


def clean(text: str) -> str:
    """Whitespace collapsed to single spaces; control characters (which a .pptx may not
    hold) dropped."""
    return " ".join("".join(ch for ch in text if ch.isprintable() or ch.isspace()).split())


def shorten(text: str, limit: int = MAX_CHARS) -> str:
    """Whitespace collapsed; cut at a word near `limit` with an ellipsis."""
    text = clean(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,;:.") + "…"


def fit_line(text: str, size: int, width: float, bold: bool = False) -> str:
    """One line: the text cut with an ellipsis if wider than `width`."""
    text = clean(text)
    if text_width(text, size, bold) <= width * SAFETY:
        return text
    while text and text_width(text + "…", size, bold) > width * SAFETY:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap(text: str, size: int, width: float, bold: bool = False,
         first_width: float | None = None) -> list[str]:
    """Greedy word wrap by measured width (a word too long for a line is broken)."""
    room = (first_width if first_width is not None else width) * SAFETY
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold) <= room:
            current = candidate
            continue
        if current:
            lines.append(current)
            room = width * SAFETY
        while text_width(word, size, bold) > room:  # e.g. a long link
            cut = len(word)
            while cut > 1 and text_width(word[:cut], size, bold) > room:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
            room = width * SAFETY
        current = word
    if current:
        lines.append(current)
    return lines or [""]


def para_lines(para: Para, width: float) -> list[Line]:
    """A paragraph as measured lines: the label bold on its own line when long, a hanging
    indent under a bullet."""
    indent = 0.35 * para.level
    prefix = "• " if para.bullet else ""
    hang = text_width(prefix, para.size) if prefix else 0.0
    label = fit_line(prefix + para.label, para.size, width - indent, True) if para.label else ""
    taken = text_width(label + " ", para.size, True) if label else hang
    text = shorten(para.text)
    out: list[Line] = []
    chunks = wrap(text, para.size, width - indent - hang, first_width=width - indent - taken)
    if label and chunks[0] and text_width(chunks[0], para.size) > (width - indent - taken):
        chunks.insert(0, "")  # not even one word fits beside the label
    for i, chunk in enumerate(chunks):
        out.append(Line((prefix if i == 0 and not label else "") + chunk, para.size, False,
                        indent + (hang if i else 0.0), para.colour, label if i == 0 else ""))
    return out


def flow(title: str, paras: list[Para], *, top: float = BODY_TOP,
         bottom: float = BODY_BOTTOM) -> list[Slide]:
    """Paragraphs onto as many slides as they need, each "(continued)" after the first; a
    paragraph is split across slides only when it alone is taller than a slide."""
    x, w = MARGIN, WIDTH - 2 * MARGIN
    slides: list[Slide] = []
    box: TextBox | None = None
    used = 0.0

    def new_slide() -> TextBox:
        nonlocal used
        used = 0.0
        name = title
        if slides:  # the title cut, if need be, so that "(continued)" always shows
            more = " (continued)"
            name = fit_line(title, TITLE_SIZE, w - text_width(more, TITLE_SIZE, True), True) + more
        slide = Slide(name, [TextBox(x, top, w, bottom - top)])
        slides.append(slide)
        return slide.boxes[0]

    box = new_slide()
    room = bottom - top
    for para in paras:
        lines = para_lines(para, w)
        need = sum(line_height(ln.size) for ln in lines) + (para.gap if box.lines else 0)
        if box.lines and used + need > room:
            box = new_slide()
            need -= para.gap
        elif box.lines and para.gap > 0:
            box.lines.append(Line("", int(para.gap * 72 / LEADING) or 1))
            used += line_height(box.lines[-1].size)
            need -= para.gap
        for ln in lines:
            if used + line_height(ln.size) > room:
                box = new_slide()
            box.lines.append(ln)
            used += line_height(ln.size)
    return slides


def box_height(lines: list[Line]) -> float:
    return sum(line_height(ln.size) for ln in lines)
