"""Markdown for comments, feedback and event details: a CommonMark subset, always sanitised.

The parser is markdown-it-py with only this syntax switched on: paragraphs, line breaks,
**bold**, *italic*, `code`, [links](https://...), <autolinks>, bare http(s) links, bullet and
numbered lists, backslash escapes and entities, plus @[Name] mentions (a small inline rule).
Raw HTML is never passed through: the parser escapes it as text, and the result is ALWAYS
cleaned by nh3 (the Rust ammonia sanitiser) with an allow-list, so a mistake in either step
cannot become a script on the page. No Flask.
"""

import re
from collections.abc import Iterator, Sequence

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "a", "ul", "ol", "li", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_CLASSES = {"span": {"mention"}}
URL_SCHEMES = {"http", "https", "mailto"}

MENTION = re.compile(r"@\[([^\[\]\n]{1,120})\]")
# Headings, quotes, code blocks, rules, tables and images stay literal text: the syntax switched
# on matches the tags the sanitiser lets through.
SYNTAX = ["list", "newline", "escape", "backticks", "emphasis", "link", "autolink", "entity",
          "linkify"]
_ALLOWED_URL = re.compile(r"(?:https?|mailto):", re.IGNORECASE)


def mention_handles(text: str) -> list[str]:
    """The handles mentioned in `text`, e.g. ['Amy Nurse', 'Bea Physio #12'], in order.

    Only mentions the page shows as mentions count (not those inside `code`).
    """
    return list(dict.fromkeys(token.meta["handle"] for token in _inline_tokens(text)
                              if token.type == "mention"))


def render(text: str) -> Markup:
    """Safe HTML for the Markdown subset in `text`."""
    return Markup(sanitise(_MD.render(_clean(text)).strip()))


def sanitise(fragment: str) -> str:
    """Keep only the allowed tags, attributes and URL schemes; links get rel=nofollow noopener."""
    return nh3.clean(
        fragment, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES, url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener", strip_comments=True,
    )


def plain(text: str, limit: int = 160) -> str:
    """A one-line plain-text excerpt (for notifications and emails)."""
    words = []
    for token in _inline_tokens(text):
        if token.type in ("text", "code_inline"):
            words.append(token.content)
        elif token.type == "mention":
            words.append("@" + token.content)
        elif token.type in ("softbreak", "hardbreak", "paragraph_close"):
            words.append(" ")
    flat = " ".join("".join(words).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _inline_tokens(text: str | None) -> Iterator[Token]:
    """The inline tokens of every block in order, each block ending with its paragraph_close."""
    for block in _MD.parse(_clean(text)):
        yield from block.children or ()
        if block.type == "paragraph_close":
            yield block


def _clean(text: str | None) -> str:
    # A NUL has no meaning in a comment; CommonMark would show it as U+FFFD.
    return (text or "").replace("\x00", "")


def _display_name(handle: str) -> str:
    """'Amy Nurse #12' reads as 'Amy Nurse' (the number only tells two namesakes apart)."""
    return re.sub(r"\s*#\d+$", "", handle.strip())


def _mention(state: StateInline, silent: bool) -> bool:
    """@[Name]: a mention token, unless it is the text of a link ("@[Name](https://...)")."""
    match = MENTION.match(state.src, state.pos, state.posMax)
    if match is None or state.src.startswith("(", match.end()):
        return False
    if not silent:
        token = state.push("mention", "span", 0)
        token.content = _display_name(match.group(1))
        token.meta = {"handle": match.group(1).strip()}
    state.pos = match.end()
    return True


def _render_mention(renderer: RendererHTML, tokens: Sequence[Token], idx: int,
                    options: OptionsDict, env: EnvType) -> str:
    return f'<span class="mention">@{escapeHtml(tokens[idx].content)}</span>'


def _allowed_link(url: str) -> bool:
    """Links only to the web or an email address; anything else stays literal text."""
    return bool(_ALLOWED_URL.match(url))


def _parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"breaks": True, "linkify": True}).enable(SYNTAX)
    # Only links written out with their scheme: "see example.org" stays text.
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False})
    md.validateLink = _allowed_link
    md.inline.ruler.before("link", "mention", _mention)
    md.add_render_rule("mention", _render_mention)
    return md


_MD = _parser()
