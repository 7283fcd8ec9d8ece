"""What an uploaded file really is, judged by its bytes (never its name), and its cleaned form.

Photos (JPEG, PNG, WebP; HEIC when pillow-heif is installed) are decoded and re-encoded with
Pillow: turned upright from their EXIF orientation, shrunk to MAX_EDGE, and rebuilt from their
pixels alone, so no metadata survives (EXIF with GPS and camera serials, XMP, ICC, comments).
PDFs are accepted only without active content (JavaScript, launch actions, embedded files);
Word, Excel and PowerPoint files only as genuine OOXML packages without macros. SVG and
everything else is refused with a message that says what to send instead. Standard library,
Pillow and filetype only; no Flask.
"""

import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

import filetype
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # iPhone photos; optional (not a dependency of the app)
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover - depends on the install
    HEIC = False

MAX_BYTES = 10 * 1024 * 1024
MAX_EDGE = 2000
THUMB_EDGE = 400
# A photo larger than this many pixels is refused before it is decoded (a "decompression
# bomb": a small file that expands to gigabytes). 50 megapixels covers every phone camera.
MAX_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# An office file's parts, unpacked, and how many of them: a zip bomb is refused.
MAX_UNPACKED = 100 * 1024 * 1024
MAX_PARTS = 2000

ACCEPTED = "photos (JPEG, PNG, WebP), PDFs, and Word, Excel or PowerPoint files"

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
if HEIC:
    IMAGE_TYPES.update({"image/heic": "JPEG", "image/heif": "JPEG"})
SAVE_AS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
           "WEBP": ("image/webp", "webp")}

# OOXML: the package's main part content type, for each kind filetype detects.
OFFICE = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        ("docx",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation":
        ("pptx",
         "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
}
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"

# PDF names that run something when the file is opened or clicked.
_PDF_ACTIVE = (b"/js", b"/javascript", b"/launch", b"/embeddedfile", b"/richmedia",
               b"/xfa", b"/submitform", b"/importdata")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)


class Refused(ValueError):
    """The file is not accepted; str() is the message shown next to the field."""


@dataclass
class Cleaned:
    kind: str  # "image", "pdf" or "document"
    content_type: str
    extension: str
    data: bytes
    thumbnail: bytes | None = None
    thumbnail_type: str | None = None
    width: int | None = None
    height: int | None = None


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def examine(data: bytes, *, max_bytes: int = MAX_BYTES) -> Cleaned:
    """The file cleaned and typed by its content, or Refused with the reason."""
    if not data:
        raise Refused("That file is empty.")
    if len(data) > max_bytes:
        raise Refused(f"That file is {megabytes(len(data))}; the largest accepted is "
                      f"{megabytes(max_bytes).replace('.0', '')}. Send a smaller photo (most "
                      "phones offer a smaller size when sharing) or compress the file.")
    if _looks_like_svg(data):
        raise Refused("SVG drawings are not accepted: they can carry scripts. Save or export "
                      "it as a PNG or JPEG picture instead.")
    kind = filetype.guess(data)
    mime = kind.mime if kind else ""
    if mime in IMAGE_TYPES:
        return clean_image(data, IMAGE_TYPES[mime])
    if mime in ("image/heic", "image/heif"):
        raise Refused("HEIC photos (the iPhone's own format) cannot be read here: share the "
                      "photo as JPEG (Settings, Camera, Formats: Most Compatible).")
    if mime == "application/pdf":
        check_pdf(data)
        return Cleaned("pdf", "application/pdf", "pdf", data)
    if mime in OFFICE:
        extension = check_office(data, mime)
        return Cleaned("document", mime, extension, data)
    if mime in ("application/zip", "application/x-zip-compressed"):
        raise Refused("That file is a zip archive, whatever its name says. Only " + ACCEPTED +
                      " are accepted.")
    raise Refused(f"This kind of file is not accepted. Only {ACCEPTED} are.")


def _looks_like_svg(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return (head.startswith((b"<?xml", b"<svg", b"<!doctype svg"))
            and b"<svg" in data[:65536].lower())


def _fresh(image: Image.Image) -> Image.Image:
    """The pixels alone in a new image: no info dict, so no EXIF, XMP, ICC or text chunks."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=85)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def clean_image(data: bytes, fmt: str) -> Cleaned:
    """Decode, turn upright, shrink, rebuild from pixels and re-encode (and a thumbnail)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                opened.load()
                image = ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused("That picture is too large to process (more than 50 megapixels): send "
                      "a smaller one.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Refused("That picture could not be read: it may be damaged. Try taking or "
                      "saving it again.") from None
    alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in
                                                     image.info)
    if fmt == "JPEG" or not alpha:
        image = image.convert("RGB")
    else:
        image = image.convert("RGBA")
    image.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
    main = _fresh(image)
    thumb = main.copy()
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    thumb = _fresh(thumb)
    thumb_fmt = "PNG" if thumb.mode == "RGBA" else "JPEG"
    content_type, extension = SAVE_AS[fmt]
    return Cleaned("image", content_type, extension, _encode(main, fmt),
                   thumbnail=_encode(thumb, thumb_fmt), thumbnail_type=SAVE_AS[thumb_fmt][0],
                   width=main.width, height=main.height)


def _pdf_texts(data: bytes):
    """The PDF's bytes, then each of its compressed streams inflated (object streams can hide
    a /JavaScript dictionary from a scan of the raw file). Inflating stops at MAX_UNPACKED in
    all: a file that unpacks to more is refused rather than scanned in part."""
    yield data
    budget = MAX_UNPACKED
    for match in _PDF_STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(match.group(1), budget + 1)
        except zlib.error:
            continue
        budget -= len(text)
        if budget < 0 or inflater.unconsumed_tail:
            raise Refused("This PDF unpacks to far more than its size, so it cannot be checked "
                          "and is not accepted. Print it to a new PDF and upload that.")
        yield text


def check_pdf(data: bytes) -> None:
    for text in _pdf_texts(data):
        # Names may be written with #xx escapes (/J#61vaScript): read them as the viewer does.
        text = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), text).lower()
        for name in _PDF_ACTIVE:
            if re.search(re.escape(name) + rb"(?![a-z])", text):
                raise Refused("This PDF contains active content (JavaScript, an action that "
                              "launches something, or embedded files), so it is not accepted. "
                              "Print it to a new PDF (\"Save as PDF\") and upload that.")


def check_office(data: bytes, mime: str) -> str:
    """A genuine Word, Excel or PowerPoint package without macros: its extension."""
    extension, main_type = OFFICE[mime]
    wrong = Refused("That file is not a genuine Word, Excel or PowerPoint file (it may be a "
                    "zip archive renamed). Save it again from the office program and upload "
                    "that.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = package.infolist()
            if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNPACKED:
                raise wrong
            names = {p.filename for p in parts}
            if "[Content_Types].xml" not in names:
                raise wrong
            types = ElementTree.fromstring(package.read("[Content_Types].xml"))
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, RuntimeError, OSError):
        raise wrong from None
    declared = {(e.get("ContentType") or "").lower() for e in types
                if e.tag in (_CT_NS + "Override", _CT_NS + "Default")}
    if any("macroenabled" in t or "vbaproject" in t for t in declared) or any(
            n.lower().endswith("vbaproject.bin") for n in names):
        raise Refused("Office files with macros are not accepted: save it as a plain .docx, "
                      ".xlsx or .pptx without macros.")
    if main_type not in declared:
        raise wrong
    return extension
