"""A photo on the demo: the evening snack box, drawn with Pillow (no file shipped), cleaned
and stored as any upload is, on the first snack-box cycle that reached Study."""

import io

from PIL import Image, ImageDraw

from ..attachments import content
from ..attachments.storage import get_storage
from ..extensions import db
from ..models import Attachment, Stage
from .context import Context

CAPTION = "The evening snack box: a labelled tray of sandwiches, yoghurt, fruit and a drink"


def snack_box_png() -> bytes:
    """A tray with four compartments and a label, as a ward team might photograph it."""
    image = Image.new("RGB", (800, 600), (232, 236, 240))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((80, 120, 720, 520), radius=28, fill=(30, 90, 160))
    draw.rounded_rectangle((100, 140, 700, 500), radius=20, fill=(245, 245, 240))
    fillings = [(240, 200, 120), (250, 250, 250), (220, 60, 60), (120, 190, 90)]
    for i, colour in enumerate(fillings):
        x, y = 120 + (i % 2) * 290, 160 + (i // 2) * 170
        draw.rounded_rectangle((x, y, x + 270, y + 150), radius=14, fill=colour,
                               outline=(80, 80, 80), width=3)
    draw.rectangle((250, 40, 550, 100), fill=(255, 255, 255), outline=(30, 90, 160), width=4)
    draw.text((280, 60), "EVENING SNACK BOX", fill=(30, 90, 160))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def snack_box(ctx: Context) -> str:
    """Attach the photo (deterministic: same key, bytes and dates on every build)."""
    cycle = next((c for c in ctx.cycles if c.idea is not None
                  and c.idea.title == "Evening snack boxes"
                  and c.stage in (Stage.STUDY, Stage.ACT, Stage.COMPLETE)), None)
    if cycle is None:
        return "No snack-box cycle to photograph."
    cleaned = content.examine(snack_box_png())
    folder = f"attachments/demo-snack-box-{cycle.id}"
    key, thumb_key = f"{folder}/file.{cleaned.extension}", f"{folder}/thumb.jpg"
    store = get_storage()
    store.put(key, cleaned.data, cleaned.content_type)
    store.put(thumb_key, cleaned.thumbnail, cleaned.thumbnail_type)
    db.session.add(Attachment(
        cycle_id=cycle.id, uploaded_by_id=cycle.author.id if cycle.author else None, kind="image",
        original_name="snack-box.png", content_type=cleaned.content_type,
        size=len(cleaned.data), storage_key=key, thumbnail_key=thumb_key,
        thumbnail_type=cleaned.thumbnail_type, width=cleaned.width, height=cleaned.height,
        caption=CAPTION, confirmed_no_patient=True, created_at=cycle.updated_at))
    db.session.flush()
    return f"Added a photo of the snack box to “{cycle.title}”."
