"""Photos and files on cycles and ideas: cleaning (no metadata survives), type detection by
content, bad input refused with nothing half-stored, permissions, trash, and S3 storage."""

import io
import zipfile

import boto3
import pytest
from moto import mock_aws
from PIL import Image
from werkzeug.test import EnvironBuilder

from tests import factories as f
from tracker.attachments import content, queries, services
from tracker.attachments.storage import LocalStorage, MissingFile, S3Storage, build, get_storage
from tracker.cycles import services as cycle_services
from tracker.extensions import db
from tracker.models import Attachment, AuditEvent, Cycle, Site, User, Visibility, utcnow

GPS = 0x8825


def jpeg_with_gps(size=(3000, 2000), orientation=None) -> bytes:
    """A camera-like JPEG: EXIF with GPS, camera make and serial, and an XMP packet."""
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((20, 20, 220), (0, 0, size[0] // 2, size[1] // 3))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0xA431] = "SERIAL123456"  # BodySerialNumber
    if orientation:
        exif[0x0112] = orientation
    exif.get_ifd(GPS).update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(),
               xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">GPSLatitude 51</x:xmpmeta>')
    return out.getvalue()


def png_bytes(size=(40, 30), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 200, 10) if mode == "RGB" else (10, 200, 10, 128)).save(out, "PNG")
    return out.getvalue()


def ooxml(main_type: str | None, first_part: str, *, extra: dict | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        if main_type is not None:
            package.writestr("[Content_Types].xml", (
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                'package/2006/content-types"><Default Extension="xml" '
                'ContentType="application/xml"/><Override PartName="/' + first_part +
                f'" ContentType="{main_type}"/></Types>'))
        package.writestr(first_part, "<document/>")
        for name, body in (extra or {}).items():
            package.writestr(name, body)
    return out.getvalue()


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCX = ooxml(DOCX_MAIN, "word/document.xml")
PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF")
PDF_JS = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 3 0 R >> endobj\n"
          b"3 0 obj << /S /JavaScript /JS (app.alert('hi')) >> endobj\n%%EOF")
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def exif_free(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        assert len(image.getexif()) == 0
        assert "exif" not in image.info and "xmp" not in image.info
    assert b"Exif" not in data and b"GPS" not in data and b"SERIAL" not in data
    assert b"PhoneMaker" not in data and b"xmpmeta" not in data


# --- cleaning and detection (no database) -------------------------------------------------

def test_a_camera_jpeg_is_shrunk_turned_upright_and_stripped_of_all_metadata():
    original = jpeg_with_gps(orientation=6)  # "rotate 90° clockwise to display"
    assert b"Exif" in original and b"SERIAL" in original
    cleaned = content.examine(original)
    assert (cleaned.kind, cleaned.content_type, cleaned.extension) == ("image", "image/jpeg",
                                                                        "jpg")
    # 3000x2000 turned upright is 2000x3000, then shrunk to 2000 on the longer edge.
    assert (cleaned.width, cleaned.height) == (1333, 2000)
    exif_free(cleaned.data)
    exif_free(cleaned.thumbnail)
    with Image.open(io.BytesIO(cleaned.thumbnail)) as thumb:
        assert max(thumb.size) == content.THUMB_EDGE


def test_a_png_named_jpg_is_taken_for_what_it_is():
    cleaned = content.examine(png_bytes())
    assert (cleaned.content_type, cleaned.extension) == ("image/png", "png")


def test_transparent_png_keeps_its_transparency():
    cleaned = content.examine(png_bytes(mode="RGBA"))
    with Image.open(io.BytesIO(cleaned.data)) as image:
        assert image.mode == "RGBA"


@pytest.mark.parametrize("data,message", [
    (b"x" * (11 * 1024 * 1024), "largest accepted is 10 MB"),
    (SVG, "SVG drawings are not accepted"),
    (PDF_JS, "active content"),
    (PDF.replace(b"/Pages 2 0 R", b"/Pages 2 0 R /OpenAction << /S /Launch /F (calc) >>"),
     "active content"),
    (PDF.replace(b"/Pages 2 0 R", b"/Names << /J#61vaScript 4 0 R >>"), "active content"),
    (ooxml(None, "word/document.xml"), "not a genuine Word"),  # a zip renamed .docx
    (ooxml("application/xml", "word/document.xml"), "not a genuine Word"),
    (ooxml(DOCX_MAIN, "word/document.xml", extra={"word/vbaProject.bin": "x"}), "macros"),
    (b"MZ\x90\x00" + b"\0" * 200, "not accepted"),
    (b"\xff\xd8\xff\xe0" + b"\0" * 100, "could not be read"),
    (b"", "empty"),
])
def test_bad_files_are_refused_with_a_message(data, message):
    with pytest.raises(content.Refused, match=message):
        content.examine(data)


def test_a_plain_zip_is_refused_whatever_its_name():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(content.Refused, match="zip archive"):
        content.examine(out.getvalue())


def test_javascript_hidden_in_a_compressed_object_stream_is_found():
    import zlib

    hidden = zlib.compress(b"<< /S /JavaScript /JS (x) >>")
    pdf = PDF + b"\n5 0 obj << /Type /ObjStm /Filter /FlateDecode >>\nstream\n" + hidden + \
        b"\nendstream\nendobj\n"
    with pytest.raises(content.Refused, match="active content"):
        content.examine(pdf)


def test_a_pdf_that_unpacks_to_too_much_is_refused(monkeypatch):
    import zlib

    monkeypatch.setattr(content, "MAX_UNPACKED", 10_000)
    stream = b"\nstream\n" + zlib.compress(b"0" * 6_000) + b"\nendstream\n"
    with pytest.raises(content.Refused, match="unpacks to far more"):
        content.examine(PDF + stream + stream)
    assert content.examine(PDF + stream).kind == "pdf"


def test_a_decompression_bomb_is_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(content, "MAX_PIXELS", 1000)
    with pytest.raises(content.Refused, match="too large to process"):
        content.examine(png_bytes((100, 100)))


def test_genuine_office_files_and_pdfs_are_accepted():
    import openpyxl
    from pptx import Presentation

    book = io.BytesIO()
    openpyxl.Workbook().save(book)
    deck = io.BytesIO()
    Presentation().save(deck)
    assert content.examine(book.getvalue()).extension == "xlsx"
    assert content.examine(deck.getvalue()).extension == "pptx"
    assert content.examine(DOCX).extension == "docx"
    assert content.examine(PDF).kind == "pdf"


# --- storage --------------------------------------------------------------------------------

def test_local_storage_round_trip_and_refuses_keys_that_leave_its_folder(tmp_path):
    store = LocalStorage(str(tmp_path))
    store.put("attachments/ab/file.jpg", b"data", "image/jpeg")
    assert store.exists("attachments/ab/file.jpg")
    assert store.get("attachments/ab/file.jpg") == b"data"
    store.delete("attachments/ab/file.jpg")
    assert not store.exists("attachments/ab/file.jpg")
    with pytest.raises(MissingFile):
        store.get("attachments/ab/file.jpg")
    for bad in ("../etc/passwd", "/etc/passwd", "attachments/../../x", "a//b"):
        with pytest.raises(ValueError):
            store.put(bad, b"x", "text/plain")


def test_s3_storage_with_moto():
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="tracker-files")
        store = build({"STORAGE_S3_BUCKET": "tracker-files", "STORAGE_S3_REGION": "us-east-1",
                       "STORAGE_S3_ACCESS_KEY": "testing", "STORAGE_S3_SECRET_KEY": "testing"},
                      "/nowhere")
        assert isinstance(store, S3Storage)
        assert not store.exists("attachments/ab/file.png")
        store.put("attachments/ab/file.png", b"png", "image/png")
        assert store.exists("attachments/ab/file.png")
        assert store.get("attachments/ab/file.png") == b"png"
        head = client.head_object(Bucket="tracker-files", Key="attachments/ab/file.png")
        assert head["ContentType"] == "image/png"
        store.delete("attachments/ab/file.png")
        assert not store.exists("attachments/ab/file.png")
        with pytest.raises(MissingFile):
            store.get("attachments/ab/file.png")


def test_an_upload_through_the_app_lands_in_s3_when_configured(app, world, login):
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="tracker-files")
        app.extensions["attachment_storage"] = S3Storage("tracker-files", client)
        try:
            cycle_id = _cycle(app, world)
            response = _upload(login("member_a"), cycle_id, jpeg_with_gps((800, 600)))
            assert response.status_code == 302
            with app.app_context():
                attachment = db.session.scalars(db.select(Attachment)).one()
                stored = client.get_object(Bucket="tracker-files",
                                           Key=attachment.storage_key)["Body"].read()
            exif_free(stored)
            served = login("member_b").get(f"/attachments/{attachment.id}/file")
            assert served.data == stored
        finally:
            del app.extensions["attachment_storage"]


# --- through the app ------------------------------------------------------------------------

def _cycle(app, world, **overrides) -> int:
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        cycle = f.make_cycle(site, title="Snack box", author_id=world.member_a, **overrides)
        db.session.commit()
        return cycle.id


def _upload(client, cycle_id, data, *, name="photo.jpg", field="photo", caption="Snack box",
            confirm=True):
    form = {f"attachment-{field}": (io.BytesIO(data), name), "attachment-caption": caption}
    if confirm:
        form["attachment-confirm"] = "y"
    # Built here so its body (spooled to a temporary file when large) is closed afterwards.
    builder = EnvironBuilder(path=f"/attachments/cycles/{cycle_id}/new", method="POST",
                             data=form)
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def _stored_files(app) -> list[str]:
    import os

    root = app.config["UPLOAD_ROOT"]
    return sorted(os.path.relpath(os.path.join(d, n), root)
                  for d, _, names in os.walk(root) for n in names)


def test_served_photo_and_thumbnail_carry_no_exif(app, world, login):
    cycle_id = _cycle(app, world)
    member = login("member_a")
    response = _upload(member, cycle_id, jpeg_with_gps())
    assert response.status_code == 302
    with app.app_context():
        attachment = db.session.scalars(db.select(Attachment).filter_by(cycle_id=cycle_id)).one()
        assert (attachment.content_type, attachment.caption) == ("image/jpeg", "Snack box")
        assert attachment.confirmed_no_patient and attachment.uploaded_by_id == world.member_a
        assert db.session.scalars(db.select(AuditEvent.action).filter_by(
            object_type="attachment")).all() == ["attachment.added"]
    page = member.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    assert f'/attachments/{attachment.id}/thumbnail" alt="Snack box"' in page
    for path in ("file", "thumbnail"):
        served = member.get(f"/attachments/{attachment.id}/{path}")
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in served.headers["Content-Security-Policy"]
        assert served.headers["Content-Disposition"].startswith("inline")
        exif_free(served.data)


def test_a_png_named_jpg_is_stored_and_served_as_png(app, world, login):
    cycle_id = _cycle(app, world)
    member = login("member_a")
    assert _upload(member, cycle_id, png_bytes(), name="board.jpg").status_code == 302
    with app.app_context():
        attachment = db.session.scalars(db.select(Attachment)).one()
        assert attachment.original_name == "board.jpg"
        assert attachment.storage_key.endswith(".png")
    served = member.get(f"/attachments/{attachment.id}/file")
    assert served.mimetype == "image/png"
    assert 'filename=board.png' in served.headers["Content-Disposition"]


def test_a_pdf_is_served_as_a_download_never_inline(app, world, login):
    cycle_id = _cycle(app, world)
    member = login("member_a")
    assert _upload(member, cycle_id, PDF, name="poster.pdf", field="document").status_code == 302
    with app.app_context():
        attachment = db.session.scalars(db.select(Attachment)).one()
        assert attachment.thumbnail_key is None
    served = member.get(f"/attachments/{attachment.id}/file")
    assert served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert member.get(f"/attachments/{attachment.id}/thumbnail").status_code == 404


@pytest.mark.parametrize("data,name,field,confirm,message", [
    (jpeg_with_gps() + b"\0" * (40 * 1024 * 1024), "huge.jpg", "photo", True,
     "That file is 40."),
    (SVG, "logo.svg", "document", True, "SVG drawings are not accepted"),
    (PDF_JS, "poster.pdf", "document", True, "active content"),
    (ooxml(None, "word/document.xml"), "report.docx", "document", True, "not a genuine Word"),
    (jpeg_with_gps((200, 100)), "photo.jpg", "photo", False, "Tick this to confirm"),
])
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_stored(
        app, world, login, data, name, field, confirm, message):
    cycle_id = _cycle(app, world)
    before = _stored_files(app)
    response = _upload(login("member_a"), cycle_id, data, name=name, field=field,
                       caption="Kept caption", confirm=confirm)
    assert response.status_code in (413, 422)
    page = response.get_data(as_text=True)
    assert message in page
    assert 'class="invalid-feedback d-block"' in page
    if response.status_code == 422:
        assert 'value="Kept caption"' in page  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0
    assert _stored_files(app) == before


def test_a_far_too_large_body_is_stopped_with_the_same_message(app, world, login):
    cycle_id = _cycle(app, world)
    app.config["MAX_CONTENT_LENGTH"] = 6000
    response = _upload(login("member_a"), cycle_id, b"\xff" * 10_000)
    assert response.status_code == 413
    assert "the largest accepted is" in response.get_data(as_text=True)


def test_nhs_number_in_the_caption_is_refused(app, world, login):
    cycle_id = _cycle(app, world)
    before = _stored_files(app)
    response = _upload(login("member_a"), cycle_id, png_bytes(), caption="Bed for 943 476 5919")
    assert response.status_code == 422
    assert "NHS number" in response.get_data(as_text=True)
    assert _stored_files(app) == before


def test_no_file_chosen_is_a_message(app, world, login):
    cycle_id = _cycle(app, world)
    response = login("member_a").post(f"/attachments/cycles/{cycle_id}/new",
                                      data={"attachment-confirm": "y"})
    assert response.status_code == 422
    assert "Choose a photo or a file" in response.get_data(as_text=True)


def test_a_failed_database_write_leaves_no_file(app, world, monkeypatch):
    cycle_id = _cycle(app, world)
    before = _stored_files(app)
    with app.test_request_context():
        cycle, user = db.session.get(Cycle, cycle_id), db.session.get(User, world.member_a)

        def broken_flush(*args, **kwargs):
            raise RuntimeError("database gone")

        monkeypatch.setattr(db.session, "flush", broken_flush)
        with pytest.raises(RuntimeError):
            services.save_upload(cycle, jpeg_with_gps((300, 200)), filename="a.jpg",
                                 caption="", by=user)
        monkeypatch.undo()
        assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0
    assert _stored_files(app) == before


def test_a_failed_file_write_leaves_no_row_and_no_file(app, world):
    cycle_id = _cycle(app, world)
    with app.test_request_context():
        cycle, user = db.session.get(Cycle, cycle_id), db.session.get(User, world.member_a)
        real = get_storage()
        puts = []

        class ThumbnailFails:
            def put(self, key, data, content_type):
                if puts:
                    raise OSError("disk full")
                puts.append(key)
                real.put(key, data, content_type)

            def delete(self, key):
                real.delete(key)

        with pytest.raises(OSError):
            services.save_upload(cycle, jpeg_with_gps((300, 200)), filename="a.jpg",
                                 caption="", by=user,
                                 store=ThumbnailFails())
        assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0
        assert not real.exists(puts[0])


def test_permissions_follow_the_cycle(app, world, login):
    draft_id = _cycle(app, world, visibility=Visibility.SITE)
    member = login("member_a")
    assert _upload(member, draft_id, png_bytes()).status_code == 302
    with app.app_context():
        attachment_id = db.session.scalar(db.select(Attachment.id))
    # Site B cannot see a site-only draft, so not its files either.
    assert login("member_b").get(f"/attachments/{attachment_id}/file").status_code == 403
    assert login("faculty").get(f"/attachments/{attachment_id}/thumbnail").status_code == 403
    assert _upload(login("member_b"), draft_id, png_bytes()).status_code == 403
    assert app.test_client().get(f"/attachments/{attachment_id}/file").status_code == 302


def test_the_cycle_trash_takes_its_files_and_brings_them_back(app, world, login):
    cycle_id = _cycle(app, world)
    member = login("member_a")
    _upload(member, cycle_id, png_bytes())
    with app.app_context():
        attachment_id = db.session.scalar(db.select(Attachment.id))
        cycle, lead = db.session.get(Cycle, cycle_id), db.session.get(User, world.lead_a)
        cycle_services.soft_delete(cycle, by=lead)
        db.session.commit()
        assert queries.photos_for_cycles([cycle_id]) == []
    assert member.get(f"/attachments/{attachment_id}/file").status_code == 404
    with app.app_context():
        cycle_services.restore(db.session.get(Cycle, cycle_id),
                               by=db.session.get(User, world.lead_a))
        db.session.commit()
        photos = queries.photos_for_cycles([cycle_id])
        assert [p.attachment.id for p in photos] == [attachment_id]
        with Image.open(io.BytesIO(photos[0].read())) as image:
            assert image.format == "PNG"
    assert member.get(f"/attachments/{attachment_id}/file").status_code == 200


def test_one_attachment_is_removed_and_restored(app, world, login):
    cycle_id = _cycle(app, world)
    member = login("member_a")
    _upload(member, cycle_id, png_bytes(), caption="The fridge")
    with app.app_context():
        attachment_id = db.session.scalar(db.select(Attachment.id))
    assert login("member_b").post(f"/attachments/{attachment_id}/delete").status_code == 403
    assert member.post(f"/attachments/{attachment_id}/delete").status_code == 302
    assert member.get(f"/attachments/{attachment_id}/file").status_code == 404
    page = member.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    assert "Removed files (1)" in page and 'alt="The fridge"' not in page
    assert member.post(f"/attachments/{attachment_id}/restore").status_code == 302
    assert member.get(f"/attachments/{attachment_id}/file").status_code == 200
    with app.app_context():
        attachment = db.session.get(Attachment, attachment_id)
        attachment.deleted_at = utcnow().replace(year=2000)
        db.session.commit()
    assert member.post(f"/attachments/{attachment_id}/restore").status_code == 404


def test_files_removed_longer_ago_than_they_can_be_restored_are_purged(app, world, login,
                                                                      runner):
    """Past restoring, a removed file's photo and thumbnail leave the store and its row goes:
    a photo taken down because it showed someone must not stay on the disk. One removed
    lately, one never removed, and one on a cycle long in the trash all stay."""
    from datetime import timedelta

    from tracker.attachments.jobs import purge_removed_files
    from tracker.core import jobs

    cycle_id, trashed_id = _cycle(app, world), _cycle(app, world, objective="Trashed")
    member = login("member_a")
    for caption in ("Old", "Recent", "Kept"):
        _upload(member, cycle_id, png_bytes(), caption=caption)
    _upload(member, trashed_id, png_bytes(), caption="In the trash")
    long_ago = utcnow() - queries.RESTORABLE_FOR - timedelta(days=1)
    with app.app_context():
        rows = {a.caption: a for a in db.session.scalars(db.select(Attachment))}
        rows["Old"].deleted_at = long_ago
        rows["Recent"].deleted_at = utcnow() - queries.RESTORABLE_FOR + timedelta(days=1)
        cycle_services.soft_delete(db.session.get(Cycle, trashed_id),
                                   by=db.session.get(User, world.lead_a))
        db.session.get(Cycle, trashed_id).deleted_at = long_ago
        ids = {c: (a.id, a.storage_key, a.thumbnail_key) for c, a in rows.items()}
        db.session.commit()
    result = runner.invoke(args=["purge-removed-files"])
    assert result.exit_code == 0 and "Purged 1 file(s)" in result.output
    with app.app_context():
        store = get_storage()
        old_id, old_file, old_thumbnail = ids["Old"]
        assert db.session.get(Attachment, old_id) is None
        assert old_thumbnail and not store.exists(old_file) and not store.exists(old_thumbnail)
        for caption in ("Recent", "Kept", "In the trash"):
            assert db.session.get(Attachment, ids[caption][0]) is not None
            assert store.exists(ids[caption][1])
        assert db.session.scalar(db.select(AuditEvent.detail).where(
            AuditEvent.action == "attachment.purged", AuditEvent.object_id == old_id))
    assert member.post(f"/attachments/{ids['Recent'][0]}/restore").status_code == 302
    assert runner.invoke(args=["purge-removed-files"]).output.startswith("Purged 0")
    nightly = [p for p in jobs.PERIODIC
               if jobs.job_name(p.fn) == jobs.job_name(purge_removed_files)]
    assert [p.cron for p in nightly] == ["20 3 * * *"]


def test_ideas_take_files_too(app, world, login):
    with app.app_context():
        idea = f.make_idea(db.session.get(Site, world.site_a), title="Snack boxes")
        db.session.commit()
        idea_id = idea.id
    response = login("member_a").post(
        f"/attachments/ideas/{idea_id}/new", content_type="multipart/form-data",
        data={"attachment-document": (io.BytesIO(DOCX), "guide.docx"),
              "attachment-confirm": "y"})
    assert response.status_code == 302
    page = login("member_b").get(f"/ideas/{idea_id}").get_data(as_text=True)
    assert "guide.docx" in page
    assert 'name="attachment-photo"' not in page  # site B reads but cannot upload
    with app.app_context():
        attachment_id = db.session.scalar(db.select(Attachment.id))
    served = login("member_b").get(f"/attachments/{attachment_id}/file")
    assert served.headers["Content-Disposition"].startswith("attachment")


def test_ramp_and_storyboard_show_the_photos(app, world, login):
    cycle_id = _cycle(app, world)
    member = login("member_a")
    _upload(member, cycle_id, png_bytes(), caption="Snack box on the trolley")
    with app.app_context():
        attachment_id = db.session.scalar(db.select(Attachment.id))
    wanted = f'/attachments/{attachment_id}/thumbnail" alt="Snack box on the trolley"'
    assert wanted in member.get(f"/cycles/{cycle_id}/ramp").get_data(as_text=True)
    board = login("member_b").get(f"/reports/sites/{world.site_a}/storyboard")
    assert wanted in board.get_data(as_text=True)


def test_photos_for_cycles_reads_each_photo_in_one_query(app, world, login, count_queries):
    ids = [_cycle(app, world) for _ in range(3)]
    member = login("member_a")
    for cycle_id in ids:
        _upload(member, cycle_id, png_bytes())
    _upload(member, ids[0], PDF, name="a.pdf", field="document")
    with app.app_context():
        with count_queries() as counter:
            photos = queries.photos_for_cycles(reversed(ids))
        assert counter.count == 1
        assert [p.cycle_id for p in photos] == list(reversed(ids))
        assert all(p.read().startswith(b"\x89PNG") for p in photos)
