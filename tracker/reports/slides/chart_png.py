"""A chart's computed geometry (measures.charts.Geometry, the same the page draws as SVG)
drawn as a PNG with Pillow: data line, centre line and limits, target, points and signals
(excluded points as rings), phase breaks, a cycle's shaded test period, numbered PDSA cycle
flags, lettered free-text notes and the legend."""

import io
import math
import re

from PIL import Image, ImageDraw, ImageFont

from ...measures.charts import Geometry

SCALE = 2  # pixels per SVG unit: sharp when projected
_PATH = re.compile(r"([MLHV])\s*(-?[\d.]+)(?:,(-?[\d.]+))?")
INK, AXIS, GRID, CYCLE, TARGET = "#212529", "#3d3d3d", "#e3e3e3", "#0b6e4f", "#b3261e"
NOTE, BAND = "#7a4a00", "#d8efe5"  # as the SVG draws them (templates/measures/_chart_svg.html)


def polylines(d: str) -> list[list[tuple[float, float]]]:
    """The absolute M/L/H/V path data the chart module writes, as lists of points."""
    out: list[list[tuple[float, float]]] = []
    x = y = 0.0
    for command, a, b in _PATH.findall(d):
        if command == "M":
            x, y = float(a), float(b)
            out.append([(x, y)])
            continue
        if command == "L":
            x, y = float(a), float(b)
        elif command == "H":
            x = float(a)
        else:
            y = float(a)
        if out:
            out[-1].append((x, y))
    return out


class _Canvas:
    def __init__(self, g: Geometry) -> None:
        self.image = Image.new("RGB", (g.width * SCALE, g.height * SCALE), "#ffffff")
        self.draw = ImageDraw.Draw(self.image)
        self.fonts: dict[tuple[int, bool], ImageFont.FreeTypeFont] = {}

    def font(self, size: float) -> ImageFont.FreeTypeFont:
        key = (round(size * SCALE), False)
        if key not in self.fonts:
            self.fonts[key] = ImageFont.load_default(size=key[0])
        return self.fonts[key]

    @staticmethod
    def _p(x: float, y: float) -> tuple[float, float]:
        return x * SCALE, y * SCALE

    def line(self, points, colour: str, width: float = 1.5, dash: tuple[float, float] = ()):
        pts = [self._p(*p) for p in points]
        w = max(1, round(width * SCALE))
        if not dash:
            self.draw.line(pts, fill=colour, width=w, joint="curve")
            return
        on, off = dash[0] * SCALE, dash[1] * SCALE
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            length = math.hypot(x1 - x0, y1 - y0)
            pos = 0.0
            while pos < length:
                end = min(pos + on, length)
                f0, f1 = pos / length, end / length
                self.draw.line([(x0 + (x1 - x0) * f0, y0 + (y1 - y0) * f0),
                                (x0 + (x1 - x0) * f1, y0 + (y1 - y0) * f1)], fill=colour, width=w)
                pos = end + off

    def circle(self, x: float, y: float, r: float, fill: str, outline: str | None = None,
               width: float = 1):
        cx, cy = self._p(x, y)
        r *= SCALE
        self.draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill, outline=outline,
                          width=round(width * SCALE) if outline else 0)

    def polygon(self, points, fill: str):
        self.draw.polygon([self._p(*p) for p in points], fill=fill)

    def rect(self, x: float, y: float, w: float, h: float, fill: str):
        (x0, y0), (x1, y1) = self._p(x, y), self._p(x + w, y + h)
        self.draw.rectangle([x0, y0, x1, y1], fill=fill)

    def text(self, x: float, y: float, text: str, size: float, colour: str = INK,
             anchor: str = "ls"):
        self.draw.text(self._p(x, y), text, fill=colour, font=self.font(size), anchor=anchor)

    def png(self) -> bytes:
        out = io.BytesIO()
        self.image.save(out, "PNG", optimize=True)
        return out.getvalue()


def chart_png(g: Geometry) -> bytes:
    """The chart as PNG bytes, twice the SVG's size."""
    c, fs = _Canvas(g), g.font_size
    if g.labelled:
        c.text(g.left, 22, g.title, 15, INK)
    if g.message:
        c.text(g.width / 2, g.height / 2, g.message, fs, INK, "ms")
        return c.png()
    for band in g.bands:  # a cycle's test period, behind everything
        c.rect(band.x, g.top, band.width, g.bottom - g.top, BAND)
    for y, label in g.y_ticks:
        c.line([(g.left, y), (g.right, y)], GRID, 1)
        c.text(g.left - 6, y + 4, label, fs, AXIS, "rs")
    for x, label in g.x_ticks:
        c.line([(x, g.bottom), (x, g.bottom + 4)], AXIS, 1)
        c.text(x, g.bottom + fs + 5, label, fs, AXIS, "ms")
    c.line([(g.left, g.bottom), (g.right, g.bottom)], AXIS, 1)
    c.line([(g.left, g.top), (g.left, g.bottom)], AXIS, 1)
    for x, label in g.phases:
        c.line([(x, g.top), (x, g.bottom)], "#444444", 1.5, (6, 3))
        if g.labelled:
            c.text(x + 4, g.top + 12, label, fs, "#444444")
    for points in polylines(g.limits):
        c.line(points, "#6b6b6b", 1.5, (5, 4))
    for points in polylines(g.centre):
        c.line(points, "#231f20", 1.5)
    if g.target:
        y, label = g.target
        c.line([(g.left, y), (g.right, y)], TARGET, 1.5, (2, 3))
        if g.labelled:
            c.text(g.right, y - 5, label, fs, TARGET, "rs")
    for d in g.lines:
        for points in polylines(d):
            c.line(points, "#8a8a8a", 1.5)
    r = g.flag_radius
    for flag in g.cycles:
        c.line([(flag.x, g.top), (flag.x, g.bottom)], CYCLE, 1, (1, 3))
        c.circle(flag.x, flag.y, r, CYCLE)
        c.text(flag.x, flag.y, str(flag.number), r + 3, "#ffffff", "mm")
    for n in g.notes:  # free-text annotations: lettered diamonds on the x-axis
        c.polygon([(n.x, n.y - 7), (n.x + 7, n.y), (n.x, n.y + 7), (n.x - 7, n.y)], NOTE)
        if not g.compact:
            c.text(n.x, n.y - 10, n.letter, fs, NOTE, "ms")
    for mark in g.marks:
        if mark.hollow:  # an excluded point: a ring
            c.circle(mark.x, mark.y, mark.radius, "#ffffff", mark.colour, width=2)
        else:
            c.circle(mark.x, mark.y, mark.radius, mark.colour,
                     "#000000" if mark.special else None)
    _legend(c, g)
    return c.png()


def _legend(c: _Canvas, g: Geometry) -> None:
    if g.compact:
        return
    for x, y, kind, colour, text in g.legend:
        ox, oy = g.left + x, g.legend_y + y
        if kind == "dot":
            c.circle(ox + 6, oy - 4, 5, colour)
        elif kind == "cycle":
            c.circle(ox + 7, oy - 4, 6, colour)
        elif kind == "note":
            c.polygon([(ox + 7, oy - 10), (ox + 13, oy - 4), (ox + 7, oy + 2), (ox + 1, oy - 4)],
                      colour)
        elif kind == "ring":
            c.circle(ox + 6, oy - 4, 4.5, "#ffffff", colour, width=2)
        elif kind == "band":
            c.rect(ox, oy - 10, 14, 12, BAND)
        else:
            dash = {"dash": (4, 3), "target": (2, 3)}.get(kind, ())
            c.line([(ox, oy - 4), (ox + 14, oy - 4)], colour, 2, dash)
        c.text(ox + 18, oy, text, g.font_size, INK)
