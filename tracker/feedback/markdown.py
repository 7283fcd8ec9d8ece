"""A small, safe Markdown subset for comments, feedback and event details. No Flask.

Paragraphs, line breaks, **bold**, *italic*, `code`, [links](https://...), bare links, bullet
and numbered lists, and @[Name] mentions. Raw HTML is never passed through: the text is escaped
first, the subset is turned into tags, and the result is ALWAYS cleaned by nh3 (the Rust
ammonia sanitiser) with an allow-list, so a mistake here cannot become a script on the page.
"""

import html
import re

import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "a", "ul", "ol", "li", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_CLASSES = {"span": {"mention"}}
URL_SCHEMES = {"http", "https", "mailto"}

MENTION = re.compile(r"@\[([^\[\]\n]{1,120})\]")
_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[([^\[\]\n]+)\]\(((?:https?://|mailto:)[^\s()<>\"]+)\)")
_BARE_URL = re.compile(r"(?<![\"'=\w/])(https?://[^\s<>\"']+[^\s<>\"'.,;:!?)])")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![*\w])[*_](?=\S)([^*_\n]+?)(?<=\S)[*_](?![*\w])")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s{0,3}\d{1,3}[.)]\s+(.*)$")


def mention_handles(text: str) -> list[str]:
    """The handles mentioned in `text`, e.g. ['Amy Nurse', 'Bea Physio #12'], in order."""
    return list(dict.fromkeys(m.group(1).strip() for m in MENTION.finditer(text or "")))


def render(text: str) -> Markup:
    """Safe HTML for the Markdown subset in `text`."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    parts = [_block(block) for block in blocks if block.strip()]
    return Markup(sanitise("\n".join(parts)))


def sanitise(fragment: str) -> str:
    """Keep only the allowed tags, attributes and URL schemes; links get rel=nofollow noopener."""
    return nh3.clean(
        fragment, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES, url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener", strip_comments=True,
    )


def plain(text: str, limit: int = 160) -> str:
    """A one-line plain-text excerpt (for notifications and emails)."""
    flat = MENTION.sub(lambda m: "@" + _display_name(m.group(1)), text or "")
    flat = _LINK.sub(r"\1", flat)
    flat = re.sub(r"[*_`]", "", " ".join(flat.split()))
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _block(block: str) -> str:
    lines = block.split("\n")
    for pattern, tag in ((_BULLET, "ul"), (_NUMBERED, "ol")):
        if all(pattern.match(line) for line in lines):
            items = "".join(f"<li>{_inline(pattern.match(line).group(1))}</li>" for line in lines)
            return f"<{tag}>{items}</{tag}>"
    return "<p>" + "<br>".join(_inline(line) for line in lines) + "</p>"


def _inline(line: str) -> str:
    """Escape the line, then turn the inline subset into tags (code spans are left literal)."""
    stash: list[str] = []

    def keep(fragment: str) -> str:
        stash.append(fragment)
        return f"\x00{len(stash) - 1}\x00"

    line = line.replace("\x00", "")
    line = _CODE.sub(lambda m: keep(f"<code>{html.escape(m.group(1))}</code>"), line)
    line = _LINK.sub(lambda m: keep(_anchor(m.group(2), _emphasis(html.escape(m.group(1))))),
                     line)
    line = MENTION.sub(lambda m: keep(_mention(m.group(1))), line)
    line = _BARE_URL.sub(lambda m: keep(_anchor(m.group(1), html.escape(m.group(1)))), line)
    line = _emphasis(html.escape(line, quote=False))
    return re.sub(r"\x00(\d+)\x00", lambda m: stash[int(m.group(1))], line)


def _emphasis(escaped: str) -> str:
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
    return _ITALIC.sub(r"<em>\1</em>", escaped)


def _anchor(url: str, label_html: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{label_html}</a>'


def _mention(handle: str) -> str:
    return f'<span class="mention">@{html.escape(_display_name(handle))}</span>'


def _display_name(handle: str) -> str:
    """'Amy Nurse #12' reads as 'Amy Nurse' (the number only tells two namesakes apart)."""
    return re.sub(r"\s*#\d+$", "", handle.strip())
