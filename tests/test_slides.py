"""Learning-session slides: a site's storyboard and one ramp as .pptx and PDF, read back with
python-pptx and from the PDF's own content streams; who may download them; what they leave out."""

import io
import re
import zlib
from datetime import timedelta

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from tests import factories as f
from tracker.core import pid
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Collaborative,
    CycleQuestion,
    Decision,
    Driver,
    Frequency,
    Site,
    Stage,
    Visibility,
    utcnow,
)
from tracker.reports.slides import layout

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
LONG = ("We walked the ward at breakfast and counted chairs by each bed; " * 30).strip()


@pytest.fixture
def story(app, world):
    """Site A's ramp on the chair idea: cycle 1 complete (a held prediction), cycle 2 shared in
    Study, cycle 3 a draft of the team; a weekly main measure with data and the cycles on it."""
    now = utcnow()
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        a = db.session.get(Site, world.site_a)
        primary = Driver(collaborative_id=collab.id, title="Mobilise", position=1)
        db.session.add(primary)
        db.session.flush()
        secondary = Driver(collaborative_id=collab.id, title="Chairs", parent_id=primary.id)
        db.session.add(secondary)
        db.session.flush()
        idea = f.make_idea(a, title="Chair by the bed", driver_id=secondary.id)
        measure = f.make_measure(collab.id, name="DrEaMing", frequency=Frequency.WEEKLY)
        f.make_values(measure, a, [(4, 10), (5, 10), (5, 10), (6, 10), (5, 10), (7, 10),
                                   (8, 10), (8, 10), (9, 10), (8, 10)])
        collab.aim = "Every surgical patient drinks, eats and mobilises within 24 hours."
        collab.aim_measure_id, collab.aim_target = measure.id, 80
        day = lambda n: (now - timedelta(days=n)).date()  # noqa: E731
        first = f.make_cycle(a, title="Chair: 1 patient", idea_id=idea.id, stage=Stage.COMPLETE,
                             decision=Decision.ADAPT, do_started_on=day(50),
                             do_ended_on=day(49), scale_amount=1, scale_unit="patient",
                             objective="See if one patient sits out on day 1.",
                             study_learning="Patients liked the chair.",
                             act_next_steps="Try a whole bay.", created_at=now - timedelta(days=60))
        first.measures = [measure]
        first.questions = [CycleQuestion(position=0, question="Will the patient sit out?",
                                         prediction="Yes, for an hour.",
                                         result="Sat out for 90 minutes.",
                                         prediction_held=True)]
        second = f.make_cycle(a, title="Chair: 1 bay", idea_id=idea.id, previous_id=first.id,
                              stage=Stage.STUDY, do_started_on=day(20), scale_amount=1,
                              scale_unit="bay", study_learning=LONG,
                              created_at=now - timedelta(days=30))
        second.measures = [measure]
        second.questions = [CycleQuestion(position=0, question="Do staff bring chairs?",
                                          prediction="Most mornings, not weekends.")]
        draft = f.make_cycle(a, title="Chair: whole ward", idea_id=idea.id,
                             previous_id=second.id, visibility=Visibility.SITE,
                             study_learning="Secret draft learning.",
                             created_at=now - timedelta(days=2))
        f.make_feedback(first, world.faculty, body="Feedback text stays out")
        db.session.commit()
        return {"first": first.id, "second": second.id, "draft": draft.id}


def pptx_of(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == PPTX
    return Presentation(io.BytesIO(response.data))


def slide_texts(deck) -> list[str]:
    return ["\n".join(s.text_frame.text for s in slide.shapes
                      if s.has_text_frame and s.text_frame.text) for slide in deck.slides]


def pdf_text(data: bytes) -> str:
    """The text drawn on a PDF's pages (its content streams, inflated)."""
    return " ".join(re.sub(r"\\([()\\])", r"\1", piece)
                    for piece in re.findall(r"\(([^\n]*?)(?<!\\)\) Tj", pdf_pages(data)))


def pdf_pages(data: bytes) -> str:
    """The PDF's page content streams, inflated."""
    out = []
    start = data.find(b"stream\n")
    while start != -1:
        end = data.find(b"endstream", start)
        stream, start = data[start + 7:end].rstrip(b"\r\n"), data.find(b"stream\n", end + 9)
        try:
            inflated = zlib.decompress(stream)
        except zlib.error:
            continue
        if inflated.startswith(b"BT") or b"\nBT " in inflated:  # a page's text, not an image
            out.append(inflated.decode("cp1252", "replace"))
    return "\n".join(out)


def assert_within_slide(deck) -> None:
    for number, slide in enumerate(deck.slides, 1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (number, shape.name)
            assert shape.left + shape.width <= deck.slide_width, (number, shape.name)
            assert shape.top + shape.height <= deck.slide_height, (number, shape.name)


def assert_text_fits(deck) -> None:
    """No text box holds more lines than its height allows at the laid-out line spacing."""
    for slide in deck.slides:
        for shape in slide.shapes:
            if not shape.has_text_frame or not shape.text_frame.text:
                continue
            need = sum(p.line_spacing.pt for p in shape.text_frame.paragraphs) / 72
            assert need <= shape.height.inches + 0.01, shape.text_frame.text[:60]


def test_storyboard_pptx_has_aim_drivers_chart_ramp_learning_and_team(app, login, world,
                                                                      story):
    response = login("member_b").get(f"/reports/sites/{world.site_a}/storyboard.pptx")
    deck = pptx_of(response)
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="storyboard-alpha-hospital-{utcnow():%Y-%m-%d}.pptx"')
    assert (deck.slide_width, deck.slide_height) == (12192000, 6858000)  # 16:9
    texts = slide_texts(deck)
    everything = "\n".join(texts)
    assert "Alpha Hospital: our improvement story" in texts[0]
    assert "Test DrEaMing" in texts[0] and f"{utcnow():%B %Y}" in texts[0]
    assert "Every surgical patient drinks" in everything
    assert "Measured by: DrEaMing, target 80%" in everything
    assert "Mobilise → Chairs" in everything and "• Chair by the bed" in everything
    one = next(t for t in texts if t.startswith("Cycle 1 of 2: Chair: 1 patient"))
    assert "We predicted: Yes, for an hour." in one
    assert "What happened: Sat out for 90 minutes. Prediction held." in one
    assert "What we learned: Patients liked the chair." in one
    assert "Decision: Adapt" in one
    assert "We predicted: Most mornings, not weekends." in everything
    assert "Leo Lead (site lead)" in everything and "Amy Nurse" in everything
    # The chart: a PNG picture of a sane size, its alt text describing it.
    pictures = [s for slide in deck.slides for s in slide.shapes
                if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 1
    assert pictures[0].image.content_type == "image/png"
    image = Image.open(io.BytesIO(pictures[0].image.blob))
    assert image.format == "PNG" and image.size == (1600, 800)
    assert "DrEaMing" in pictures[0]._element.nvPicPr.cNvPr.get("descr")
    assert_within_slide(deck)
    assert_text_fits(deck)


def test_long_learning_continues_on_another_slide_and_is_cut_sensibly(login, world, story):
    texts = slide_texts(pptx_of(login("member_a").get(
        f"/cycles/{story['second']}/ramp.pptx".replace("/cycles", "/reports/cycles"))))
    two = [t for t in texts if t.startswith("Cycle 2 of 3")]
    assert len(two) >= 1
    joined = " ".join(two).replace("\n", " ")
    assert "We walked the ward at breakfast" in joined
    assert "…" in joined  # cut near MAX_CHARS, at a word
    assert LONG not in joined


def test_chart_png_carries_the_cycle_flags(app, world, story):
    """The PNG is drawn from the page's geometry: the numbered cycle flags' colour is there."""
    from tracker.measures.front import site_chart
    from tracker.models import Measure, User
    from tracker.reports.slides.chart_png import chart_png

    with app.test_request_context():
        measure = db.session.scalars(db.select(Measure).filter_by(name="DrEaMing")).one()
        shown = site_chart(measure, db.session.get(Site, world.site_a),
                           db.session.get(User, world.member_a))
        assert len(shown.geometry.cycles) == 2 and shown.geometry.centre
        image = Image.open(io.BytesIO(chart_png(shown.geometry))).convert("RGB")
    flag = shown.geometry.cycles[0]
    # Beside the white number: the flag's green disc.
    assert image.getpixel((round(flag.x * 2) + 12, round(flag.y * 2))) == (0x0B, 0x6E, 0x4F)
    assert len(image.getcolors(1 << 16)) > 20  # drawn, not blank


def test_ramp_pdf_has_the_same_content(app, login, world, story):
    response = login("member_a").get(f"/reports/cycles/{story['first']}/ramp.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="ramp-alpha-hospital-chair-by-the-bed-')
    data = response.data
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    text = pdf_text(data)
    assert "Ramp: Chair by the bed" in text and "Our aim" in text
    assert "Yes, for an hour." in text and "Patients liked the chair." in text
    assert "Secret draft learning." in text  # the team sees its own draft
    assert "Leo Lead (site lead)" in text
    assert b"/Subtype /Image" in data
    # Every line of text starts on the 960 by 540 pt page.
    starts = re.findall(r"BT ([-\d.]+) ([-\d.]+) Td", pdf_pages(data))
    assert starts and all(0 <= float(x) < 960 and 0 < float(y) < 540 for x, y in starts)
    pptx = pptx_of(login("member_a").get(f"/reports/cycles/{story['first']}/ramp.pptx"))
    assert pages == len(pptx.slides)


def test_outsiders_get_no_drafts_feedback_emails_or_patient_data(login, world, story):
    for kind in ("pptx", "pdf"):
        for url in (f"/reports/sites/{world.site_a}/storyboard.{kind}",
                    f"/reports/cycles/{story['first']}/ramp.{kind}"):
            response = login("member_b").get(url)
            assert response.status_code == 200
            text = (pdf_text(response.data) if kind == "pdf"
                    else "\n".join(slide_texts(pptx_of(response))))
            assert "Chair: 1 bay" in text
            for private in ("Chair: whole ward", "Secret draft", "Feedback text",
                            "@example.org"):
                assert private not in text, (url, private)
            assert not pid.scan(text, names=False).nhs_numbers


def test_a_site_with_nothing_yet_still_gets_a_deck(app, login, world, story):
    """Site B: no cycles, no data (the chart says so), an odd character in its name."""
    with app.app_context():
        db.session.get(Site, world.site_b).name = "Beta\x01 Hospital"
        db.session.commit()
    for kind in ("pptx", "pdf"):
        response = login("member_b").get(f"/reports/sites/{world.site_b}/storyboard.{kind}")
        assert response.status_code == 200
    deck = pptx_of(login("member_b").get(f"/reports/sites/{world.site_b}/storyboard.pptx"))
    texts = slide_texts(deck)
    assert "Beta Hospital: our improvement story" in texts[0]
    assert not any(t.startswith("The ramp") for t in texts)
    assert any("Bea Physio" in t for t in texts)
    pictures = [s for slide in deck.slides for s in slide.shapes
                if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert "No data yet" in pictures[0]._element.nvPicPr.cNvPr.get("descr")
    assert_within_slide(deck)


def test_who_may_download(login, world, story):
    draft = f"/reports/cycles/{story['draft']}/ramp.pptx"
    assert login("member_b").get(draft).status_code == 403
    assert login("partner").get(draft.replace(".pptx", ".pdf")).status_code == 403
    assert login("lead_a").get(draft).status_code == 200
    assert login("member_b").get("/reports/cycles/9999/ramp.pdf").status_code == 404
    assert login("member_a").get(f"/reports/sites/{world.site_a}/storyboard.docx"
                                 ).status_code == 404


def test_downloads_are_audited(app, login, world, story):
    login("faculty").get(f"/reports/sites/{world.site_a}/storyboard.pdf")
    login("member_a").get(f"/reports/cycles/{story['first']}/ramp.pptx")
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.action.like("export.slides%")).order_by(AuditEvent.id)).all()
        assert [(e.action, e.actor_id, e.site_id) for e in events] == [
            ("export.slides_pdf", world.faculty, world.site_a),
            ("export.slides_pptx", world.member_a, world.site_a)]
        assert events[1].detail.startswith("ramp-alpha-hospital-chair-by-the-bed-")


def test_the_pages_offer_the_downloads(login, world, story):
    html = login("member_b").get(f"/reports/sites/{world.site_a}/storyboard").get_data(True)
    assert f'href="/reports/sites/{world.site_a}/storyboard.pptx">Download slides (.pptx)' in html
    assert f'href="/reports/sites/{world.site_a}/storyboard.pdf">PDF' in html
    html = login("member_b").get(f"/cycles/{story['first']}/ramp").get_data(True)
    assert f'href="/reports/cycles/{story["first"]}/ramp.pptx"' in html


def test_queries_do_not_grow_with_the_ramp(app, login, world, story, count_queries):
    client = login("member_a")
    url = f"/reports/sites/{world.site_a}/storyboard.pptx"
    ramp = f"/reports/cycles/{story['first']}/ramp.pdf"
    with count_queries() as small:
        client.get(url)
    with count_queries() as small_ramp:
        client.get(ramp)
    with app.app_context():
        a = db.session.get(Site, world.site_a)
        previous = story["draft"]
        for i in range(6):
            cycle = f.make_cycle(a, title=f"More {i}", previous_id=previous,
                                 study_learning="More learning.")
            cycle.questions = [CycleQuestion(question="Q?", prediction="P.")]
            f.make_user(site=a)
            previous = cycle.id
        db.session.commit()
    with count_queries() as large:
        texts = slide_texts(pptx_of(client.get(url)))
    assert any(t.startswith("Cycle 9 of 9: More 5") for t in texts)
    assert large.count == small.count
    with count_queries() as large_ramp:
        assert "More 5" in pdf_text(client.get(ramp).data)
    assert large_ramp.count == small_ramp.count


def test_layout_wraps_and_continues_without_leaving_the_slide():
    paras = [layout.Para("word " * 120, label="Label:") for _ in range(6)]
    slides = layout.flow("A title", paras)
    assert len(slides) > 2 and slides[1].title == "A title (continued)"
    for slide in slides:
        for box in slide.boxes:
            assert layout.box_height(box.lines) <= box.h + 1e-9
            for line in box.lines:
                width = (layout.text_width(line.label + " ", line.size, True) if line.label
                         else 0) + layout.text_width(line.text, line.size) + line.indent
                assert width <= box.w
    assert layout.fit_line("x" * 500, 30, 5).endswith("…")
    assert layout.pdf_safe("a → b ✓") == "a -> b ?"


def _photo(colour, size) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def test_a_cycles_photos_follow_its_slide_with_their_captions(app, login, world, story):
    from tracker.attachments import services as attachments
    from tracker.models import Cycle, User

    with app.app_context():
        first = db.session.get(Cycle, story["first"])
        nurse = db.session.get(User, world.member_a)
        for n, (colour, size) in enumerate([((200, 30, 30), (1200, 800)),
                                            ((30, 200, 30), (600, 900))]):
            attachments.save_upload(first, _photo(colour, size), filename=f"chair{n}.jpg",
                                    caption=f"The chair by bed {n + 1}", by=nurse)
    deck = pptx_of(login("member_a").get(f"/reports/cycles/{story['first']}/ramp.pptx"))
    texts = slide_texts(deck)
    at = next(i for i, t in enumerate(texts) if t.startswith("Cycle 1: Chair: 1 patient: photos"))
    assert texts[at - 1].startswith("Cycle 1 of 3: Chair: 1 patient")  # right after its slide
    assert "The chair by bed 1" in texts[at] and "The chair by bed 2" in texts[at]
    pictures = [s for s in deck.slides[at].shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 2
    shown = [Image.open(io.BytesIO(p.image.blob)) for p in pictures]
    assert {im.size for im in shown} == {(1200, 800), (600, 900)}
    assert all("exif" not in im.info for im in shown)
    # Each keeps its shape on the slide.
    for picture, image in zip(pictures, shown, strict=True):
        assert picture.width / picture.height == pytest.approx(image.width / image.height,
                                                               rel=0.01)
    assert_within_slide(deck)
    pdf = login("member_a").get(f"/reports/cycles/{story['first']}/ramp.pdf").data
    assert "The chair by bed 2" in pdf_text(pdf)
    assert len(re.findall(rb"/Subtype /Image", pdf)) == 3  # the chart and the two photos


def test_the_chart_slide_draws_and_lists_the_charts_notes(app, login, world, story):
    from tracker.measures.front import site_chart
    from tracker.models import ChartNote, Measure, User
    from tracker.reports.slides.chart_png import NOTE, chart_png

    with app.app_context():
        measure = db.session.scalars(db.select(Measure).filter_by(name="DrEaMing")).one()
        db.session.add(ChartNote(measure_id=measure.id, site_id=world.site_a,
                                 on_date=(utcnow() - timedelta(days=28)).date(),
                                 text="New ward manager", created_by_id=world.lead_a))
        db.session.commit()
        measure_id = measure.id
    with app.test_request_context():
        shown = site_chart(db.session.get(Measure, measure_id),
                           db.session.get(Site, world.site_a),
                           db.session.get(User, world.member_a))
        (note,) = shown.geometry.notes
        image = Image.open(io.BytesIO(chart_png(shown.geometry))).convert("RGB")
    # The diamond's centre, in the notes' brown.
    brown = tuple(int(NOTE[i:i + 2], 16) for i in (1, 3, 5))
    assert image.getpixel((round(note.x * 2), round(note.y * 2))) == brown
    texts = slide_texts(pptx_of(login("member_a").get(
        f"/reports/sites/{world.site_a}/storyboard.pptx")))
    assert any("Note A (" in t and "New ward manager" in t for t in texts)
