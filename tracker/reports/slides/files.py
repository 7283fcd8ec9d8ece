"""Laid-out slides written as a PowerPoint file (python-pptx) and as a PDF (fpdf2): the same
boxes at the same places, so the two files show the same thing."""

import io

from fpdf import FPDF
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.util import Emu, Inches, Pt

from .layout import (
    ACCENT,
    FONT,
    HEIGHT,
    INK,
    MARGIN,
    TITLE_SIZE,
    WIDTH,
    Line,
    Picture,
    Slide,
    TextBox,
    clean,
    fit_line,
    line_height,
    pdf_safe,
    text_width,
)

PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PDF_TYPE = "application/pdf"


def heading(slide: Slide) -> tuple[TextBox, tuple[float, float, float, float]]:
    """A slide's title (one line, cut to fit) and the accent rule under it."""
    w = WIDTH - 2 * MARGIN
    line = Line(fit_line(slide.title, TITLE_SIZE, w, True), TITLE_SIZE, True)
    return TextBox(MARGIN, 0.4, w, line_height(TITLE_SIZE), [line]), (MARGIN, 1.2, w, 0.04)


def placed(slide: Slide) -> list[TextBox | Picture]:
    """Every box on the slide, its heading first (the cover has none)."""
    if slide.cover:
        return list(slide.boxes)
    title, _ = heading(slide)
    return [title, *slide.boxes]


# --- PowerPoint ---------------------------------------------------------------------------

def to_pptx(slides: list[Slide], title: str) -> bytes:
    """The slides as a .pptx (16:9), text in Arial at the laid-out sizes, never auto-fitted."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(round(WIDTH * 914400)), Emu(round(HEIGHT * 914400))
    deck.core_properties.title = clean(title)
    blank = deck.slide_layouts[6]
    for slide in slides:
        page = deck.slides.add_slide(blank)
        if not slide.cover:
            _, (x, y, w, h) = heading(slide)
            rule = page.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(x), Inches(y), Inches(w),
                                         Inches(h))
            rule.fill.solid()
            rule.fill.fore_color.rgb = RGBColor.from_string(ACCENT)
            rule.line.fill.background()
        for box in placed(slide):
            if isinstance(box, Picture):
                pic = page.shapes.add_picture(io.BytesIO(box.png), Inches(box.x), Inches(box.y),
                                              Inches(box.w), Inches(box.h))
                pic.element.nvPicPr.cNvPr.set("descr", clean(box.description))  # alt text
            else:
                _text_box(page, box)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _text_box(page, box: TextBox) -> None:
    shape = page.shapes.add_textbox(Inches(box.x), Inches(box.y), Inches(box.w), Inches(box.h))
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = Emu(0)
    for i, line in enumerate(box.lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.line_spacing = Pt(line.size * 1.2)
        para.space_before = para.space_after = Pt(0)
        if line.indent:
            para._pPr.set("marL", str(Inches(line.indent)))  # no python-pptx API for it
        if line.label:
            _run(para, line.label + (" " if line.text else ""), line, bold=True)
        if line.text or not line.label:
            _run(para, line.text, line, bold=line.bold)


def _run(para, text: str, line: Line, *, bold: bool) -> None:
    run = para.add_run()
    run.text = text
    run.font.name, run.font.size, run.font.bold = FONT, Pt(line.size), bold
    run.font.color.rgb = RGBColor.from_string(line.colour or INK)


# --- PDF ----------------------------------------------------------------------------------

def to_pdf(slides: list[Slide], title: str, *, compress: bool = True) -> bytes:
    """The slides as a PDF, one 16:9 page each, in the core Helvetica (Arial's twin)."""
    pdf = FPDF(orientation="L", unit="in", format=(HEIGHT, WIDTH))
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_compression(compress)
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_title(pdf_safe(clean(title)))
    pdf.set_creator("PDSA Tracker")
    for slide in slides:
        pdf.add_page()
        if not slide.cover:
            _, (x, y, w, h) = heading(slide)
            pdf.set_fill_color(*_rgb(ACCENT))
            pdf.rect(x, y, w, h, style="F")
        for box in placed(slide):
            if isinstance(box, Picture):
                pdf.image(io.BytesIO(box.png), box.x, box.y, box.w, box.h,
                          alt_text=pdf_safe(clean(box.description)))
            else:
                _pdf_text(pdf, box)
    return bytes(pdf.output())


def _pdf_text(pdf: FPDF, box: TextBox) -> None:
    y = box.y
    for line in box.lines:
        height = line_height(line.size)
        baseline = y + height * 0.8
        x = box.x + line.indent
        pdf.set_text_color(*_rgb(line.colour or INK))
        if line.label:
            pdf.set_font("helvetica", "B", line.size)
            pdf.text(x, baseline, pdf_safe(line.label))
            x += text_width(line.label + " ", line.size, True)
        if line.text:
            pdf.set_font("helvetica", "B" if line.bold else "", line.size)
            pdf.text(x, baseline, pdf_safe(line.text))
        y += height


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))
