"""On a phone: add a photo to a cycle from the camera input, forget the confirmation, fix
it, and see the thumbnail; the served photo carries no EXIF, and the pages pass axe."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.test_journey import serious_violations, sign_in
from tests.test_attachments import exif_free, jpeg_with_gps
from tracker.extensions import db
from tracker.models import Site

pytestmark = pytest.mark.browser


@pytest.fixture
def cycle_id(app, world):
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), title="Evening snack box",
                             author_id=world.member_a)
        db.session.commit()
        return cycle.id


def test_upload_a_photo_on_a_phone(phone_page, live_server, world, cycle_id):
    page = phone_page
    sign_in(page, live_server)
    page.wait_for_url(f"{live_server}/dashboard")
    page.goto(f"{live_server}/cycles/{cycle_id}")
    camera = page.get_by_label("Take a photo")
    assert camera.get_attribute("capture") == "environment"
    assert camera.get_attribute("accept") == "image/*"
    assert serious_violations(page) == []

    photo = {"name": "IMG_0001.jpg", "mimeType": "image/jpeg",
             "buffer": jpeg_with_gps((1600, 1200))}
    camera.set_input_files(photo)
    page.get_by_label("Caption").fill("The snack box on the night trolley")
    page.get_by_role("button", name="Upload").click()
    # The confirmation was missed: the message sits beside it, the caption is kept.
    expect(page.locator("#attachment-confirm-error")).to_contain_text("Tick this to confirm")
    expect(page.get_by_label("Caption")).to_have_value("The snack box on the night trolley")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_label("Take a photo").set_input_files(photo)
    page.get_by_label("This shows no patient").check()
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("“IMG_0001.jpg” added.")).to_be_visible()
    thumbnail = page.get_by_role("img", name="The snack box on the night trolley")
    expect(thumbnail).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []

    for url in (thumbnail.get_attribute("src"),
                page.locator("#attachments a").first.get_attribute("href")):
        served = page.request.get(f"{live_server}{url}")
        assert served.ok and served.headers["x-content-type-options"] == "nosniff"
        exif_free(served.body())
        with Image.open(io.BytesIO(served.body())) as image:
            assert image.format == "JPEG"


def test_a_file_chosen_offline_is_refused_with_a_message_and_nothing_stored(
        phone_page, app, live_server, world, cycle_id):
    from tracker.models import Attachment

    page = phone_page
    sign_in(page, live_server)
    page.wait_for_url(f"{live_server}/dashboard")
    page.goto(f"{live_server}/cycles/{cycle_id}")
    page.get_by_label("Take a photo").set_input_files(
        {"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps((800, 600))})
    page.get_by_label("Caption").fill("The day-clothes rail")
    page.get_by_label("This shows no patient").check()
    page.context.set_offline(True)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "You are offline: photos and files can only be sent with a connection")
    expect(page.get_by_label("Caption")).to_have_value("The day-clothes rail")  # still here
    assert serious_violations(page) == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0
    # Back online, the same form sends it.
    page.context.set_offline(False)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("“IMG_0002.jpg” added.")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 1
