"""What the learning-session slides say: a site's storyboard, or one ramp, as laid-out slides
(cover, aim, driver-diagram excerpt, the main measure's chart, the ramp's cycles with their
predictions and learning, key learning, the team). Only what the viewer may read: the
storyboard and the ramp have already left out drafts the viewer may not see.

Each cycle's photos (tracker/attachments, already cleaned of metadata) follow its slide, up
to four a slide with their captions.
"""

from collections import defaultdict
from datetime import date
from io import BytesIO
from itertools import groupby

from PIL import Image
from sqlalchemy.orm import joinedload

from ...attachments.queries import Photo, photos_for_cycles
from ...extensions import db
from ...measures.front import main_measure, site_chart
from ...models import Collaborative, Cycle, CycleQuestion, Measure, Membership, Site, User
from ..storyboard import Storyboard, driver_excerpt
from .chart_png import chart_png
from .layout import (
    BODY_BOTTOM,
    BODY_TOP,
    MARGIN,
    MUTED,
    SMALL_SIZE,
    WIDTH,
    Line,
    Para,
    Picture,
    Slide,
    TextBox,
    clean,
    fit_line,
    flow,
    line_height,
    para_lines,
    wrap,
)

COVER_SIZE, COVER_SUB = 40, 24
CYCLE_SIZE = 18  # a cycle's worksheet is the longest text: a size smaller keeps it on one slide
SUMMARY_LINES = 4  # under the chart
NOTE_LINES = 3  # then the chart's notes


def storyboard_slides(board: Storyboard, today: date) -> list[Slide]:
    """A site's storyboard as slides."""
    site, collaborative = board.site, board.collaborative
    slides = [cover(f"{site.name}: our improvement story", site, collaborative, today),
              *aim_slides(collaborative),
              *driver_slides(board.drivers)]
    slides.append(chart_slide(board.measure, board.geometry, board.summary))
    if board.ramp:
        slides += cycle_slides(board.ramp, "The ramp")
    if board.learning:
        slides += flow("Key learning", [
            Para(c.study_learning, label=f"{c.title}" + (f" ({c.decision.label})"
                                                        if c.decision else "") + ":",
                 bullet=True) for c in board.learning])
    slides += team_slides(site)
    return slides


def ramp_slides(cycle: Cycle, chain: list[Cycle], viewer: User, today: date) -> list[Slide]:
    """One ramp (the chain of linked cycles `cycle` belongs to) as slides."""
    site = cycle.site
    collaborative = db.session.get(Collaborative, site.collaborative_id)
    name = cycle.idea.title if cycle.idea else cycle.title
    measure = _ramp_measure(cycle, collaborative)
    geometry, summary = None, []
    if measure is not None:
        shown = site_chart(measure, site, viewer)
        geometry, summary = shown.geometry, shown.summary
    return [cover(f"Ramp: {name}", site, collaborative, today),
            *aim_slides(collaborative),
            *driver_slides(driver_excerpt(collaborative.id, chain)),
            chart_slide(measure, geometry, summary),
            *cycle_slides(chain, f"The ramp: {name}"),
            *team_slides(site)]


def _ramp_measure(cycle: Cycle, collaborative: Collaborative) -> Measure | None:
    """The ramp's own measure (the first linked to the cycle), else the collaborative's main."""
    linked = [m for m in cycle.measures if m.deleted_at is None]
    return linked[0] if linked else main_measure(collaborative.id)


def cover(title: str, site: Site, collaborative: Collaborative, today: date) -> Slide:
    """The title slide: what, where, for which collaborative, when."""
    w = WIDTH - 2 * MARGIN
    wrapped = wrap(clean(title), COVER_SIZE, w, bold=True)
    if len(wrapped) > 2:  # two lines at most: the rest cut with an ellipsis
        wrapped = [wrapped[0], fit_line(" ".join(wrapped[1:]), COVER_SIZE, w, True)]
    lines = [Line(text, COVER_SIZE, True) for text in wrapped]
    for text in (f"{site.name}" + (f", {site.organisation}" if site.organisation else ""),
                 collaborative.name, f"{today.day} {today:%B %Y}"):
        lines.append(Line(fit_line(text, COVER_SUB, w), COVER_SUB, colour=MUTED))
    return Slide(title, [TextBox(MARGIN, 2.4, w, 3.2, lines)], cover=True)


def aim_slides(collaborative: Collaborative) -> list[Slide]:
    """The collaborative's aim, with its measure and target when set."""
    paras = [Para(collaborative.aim or "No aim written yet.")]
    measure = collaborative.aim_measure if collaborative.aim_measure_id else None
    if measure is not None:
        words = measure.name
        if collaborative.aim_target is not None:
            unit = "%" if measure.is_proportion else (f" {measure.unit}" if measure.unit else "")
            words += f", target {collaborative.aim_target:g}{unit}"
        if collaborative.aim_target_on:
            on = collaborative.aim_target_on
            words += f" by {on.day} {on:%B %Y}"
        paras.append(Para(words, label="Measured by:", gap=0.25))
    return flow("Our aim", paras)


def driver_slides(drivers) -> list[Slide]:
    """The primary and secondary drivers and the change ideas the cycles test."""
    if not drivers:
        return flow("Where our changes sit in the driver diagram",
                    [Para("No tested ideas linked to the driver diagram yet.")])
    paras = []
    for d in drivers:
        head = d.primary + (" → " + ", ".join(d.secondary) if d.secondary else "")
        paras.append(Para("", label=head, gap=0.2))
        paras += [Para(idea, bullet=True, level=1, gap=0.02) for idea in d.ideas]
    return flow("Where our changes sit in the driver diagram", paras)


def chart_slide(measure: Measure | None, geometry, summary: list[str]) -> Slide:
    """The measure's chart as an image (every annotation the page shows), its summary below."""
    if measure is None or geometry is None:
        return flow("Main measure", [Para("No core measure defined yet.")])[0]
    w = WIDTH - 2 * MARGIN
    said = [ln for sentence in summary
            for ln in para_lines(Para(sentence, size=SMALL_SIZE, colour=MUTED), w)]
    # The lettered diamonds on the chart, said in words.
    noted = [ln for note in geometry.notes
             for ln in para_lines(Para(note.title, size=SMALL_SIZE, colour=MUTED), w)]
    lines = _cut(said, SUMMARY_LINES, w) + _cut(noted, NOTE_LINES, w)
    text_h = sum(line_height(ln.size) for ln in lines)
    room_h = BODY_BOTTOM - BODY_TOP - text_h - 0.1
    pic_h = min(room_h, w * geometry.height / geometry.width)
    pic_w = pic_h * geometry.width / geometry.height
    x = (WIDTH - pic_w) / 2
    boxes = [Picture(x, BODY_TOP, pic_w, pic_h, chart_png(geometry),
                     geometry.description or measure.name)]
    if lines:
        boxes.append(TextBox(MARGIN, BODY_TOP + pic_h + 0.1, w, text_h, lines))
    return Slide(fit_line(measure.name, 30, w, True), boxes)


def _cut(lines: list[Line], most: int, width: float) -> list[Line]:
    """At most `most` lines, the last ending in an ellipsis when some were left out."""
    if len(lines) <= most:
        return lines
    lines, last = lines[:most], lines[most - 1]
    lines[-1] = Line(fit_line(last.text + " …", SMALL_SIZE, width - last.indent), SMALL_SIZE,
                     colour=MUTED, indent=last.indent)
    return lines


def _questions(cycles: list[Cycle]) -> dict[int, list[CycleQuestion]]:
    """Each cycle's questions, in one query however many cycles."""
    out: dict[int, list[CycleQuestion]] = defaultdict(list)
    rows = db.session.scalars(db.select(CycleQuestion).where(
        CycleQuestion.cycle_id.in_([c.id for c in cycles]))
        .order_by(CycleQuestion.cycle_id, CycleQuestion.position, CycleQuestion.id))
    for q in rows:
        out[q.cycle_id].append(q)
    return out


def _dates(c: Cycle) -> str:
    if c.do_started_on is None:
        return "not run yet" if c.stage.value == "plan" else "dates not recorded"
    text = f"{c.do_started_on.day} {c.do_started_on:%b %Y}"
    if c.do_ended_on:
        text += f" – {c.do_ended_on.day} {c.do_ended_on:%b %Y}"
    return text


HELD = {True: "Prediction held.", False: "Prediction did not hold.", None: ""}


def _outcome(q: CycleQuestion) -> str:
    """The result in words, then whether the prediction held."""
    result = clean(q.result)
    if result and result[-1] not in ".!?":
        result += "."
    return " ".join(filter(None, (result, HELD[q.prediction_held])))


def cycle_slides(chain: list[Cycle], title: str) -> list[Slide]:
    """The ramp at a glance, then a slide for each cycle: scale, dates, decision, each
    question's prediction against its result, what was learned and the next steps."""
    overview = [Para(f"{c.title} — {c.scale or 'scale not stated'}, {c.stage.label}"
                     + (f": {c.decision.label}" if c.decision else ""), label=f"{i}.", gap=0.05)
                for i, c in enumerate(chain, 1)]
    slides = flow(title, overview)
    questions = _questions(chain)
    photos: dict[int, list[Photo]] = defaultdict(list)
    for photo in photos_for_cycles([c.id for c in chain]):  # one query for the whole ramp
        photos[photo.cycle_id].append(photo)
    for i, c in enumerate(chain, 1):
        paras = [Para(f"Scale: {c.scale or 'not stated'} · {_dates(c)} · {c.stage.label}"
                      + (f" · Decision: {c.decision.label}" if c.decision else ""),
                      size=SMALL_SIZE, colour=MUTED)]
        if c.objective.strip():
            paras.append(Para(c.objective, label="Objective:", size=CYCLE_SIZE))
        asked = [q for q in questions[c.id] if q.question.strip() or q.prediction.strip()]
        if asked:
            paras.append(Para("", label="Questions and predictions", gap=0.15, size=CYCLE_SIZE))
        for q in asked:
            paras.append(Para(q.question or "(no question written)", bullet=True, gap=0.05,
                              size=CYCLE_SIZE))
            paras.append(Para(q.prediction or "none written", label="We predicted:", level=1,
                              gap=0.0, size=CYCLE_SIZE))
            if q.result.strip() or q.prediction_held is not None:
                paras.append(Para(_outcome(q), label="What happened:", level=1, gap=0.0,
                                  size=CYCLE_SIZE))
        paras.append(Para(c.study_learning.strip() or "Not studied yet.",
                          label="What we learned:", gap=0.15, size=CYCLE_SIZE))
        if c.act_next_steps.strip():
            paras.append(Para(c.act_next_steps, label="Next steps:", gap=0.15,
                              size=CYCLE_SIZE))
        slides += flow(f"Cycle {i} of {len(chain)}: {c.title}", paras)
        slides += photo_slides(f"Cycle {i}: {c.title}", photos[c.id])
    return slides


PHOTOS_PER_SLIDE = 4  # a 2 x 2 grid


def photo_slides(title: str, photos: list[Photo]) -> list[Slide]:
    """A cycle's photos, up to four a slide, each fitted to its cell with its caption."""
    slides = []
    w = WIDTH - 2 * MARGIN
    cell_w, cell_h = (w - 0.3) / 2, (BODY_BOTTOM - BODY_TOP - 0.3) / 2
    caption_h = line_height(SMALL_SIZE) + 0.05
    for start in range(0, len(photos), PHOTOS_PER_SLIDE):
        boxes: list[TextBox | Picture] = []
        for n, photo in enumerate(photos[start:start + PHOTOS_PER_SLIDE]):
            picture, (px, py) = _slide_image(photo.read())
            x0 = MARGIN + (n % 2) * (cell_w + 0.3)
            y0 = BODY_TOP + (n // 2) * (cell_h + 0.3)
            scale = min(cell_w / px, (cell_h - caption_h) / py)
            pw, ph = px * scale, py * scale
            boxes.append(Picture(x0 + (cell_w - pw) / 2, y0, pw, ph, picture,
                                 photo.alt_text or "A photo of the change"))
            caption = clean(photo.caption)
            if caption:
                boxes.append(TextBox(x0, y0 + ph + 0.05, cell_w, caption_h, [
                    Line(fit_line(caption, SMALL_SIZE, cell_w), SMALL_SIZE, colour=MUTED)]))
        more = f" ({start // PHOTOS_PER_SLIDE + 1})" if len(photos) > PHOTOS_PER_SLIDE else ""
        slides.append(Slide(fit_line(f"{title}: photos{more}", 30, w, True), boxes))
    return slides


def _slide_image(data: bytes) -> tuple[bytes, tuple[int, int]]:
    """The photo as both file writers take it (JPEG or PNG; WebP becomes PNG) and its size."""
    with Image.open(BytesIO(data)) as image:
        size = image.size
        if image.format in ("JPEG", "PNG"):
            return data, size
        out = BytesIO()
        image.save(out, "PNG")
        return out.getvalue(), size


def team_slides(site: Site) -> list[Slide]:
    """The team as the site page shows it to everyone: names by profession, the site leads
    marked (no emails, nothing only team managers see)."""
    memberships = db.session.scalars(
        db.select(Membership).join(Membership.user).options(joinedload(Membership.user))
        .where(Membership.site_id == site.id, User.active.is_(True)).order_by(User.name)
    ).all()
    if not memberships:
        return flow("The team", [Para("No one has joined this site yet.")])
    ordered = sorted(memberships, key=lambda m: (m.user.profession.label, m.user.name))
    paras = []
    for profession, group in groupby(ordered, key=lambda m: m.user.profession):
        names = [m.user.name + (" (site lead)" if m.role.value == "site_lead" else "")
                 for m in group]
        paras.append(Para(", ".join(names), label=f"{profession.label}:", gap=0.12))
    count = len(memberships)
    return flow(f"The team: {count} {'person' if count == 1 else 'people'}", paras)
