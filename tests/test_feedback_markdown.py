"""The safe Markdown subset: what it renders, and XSS payloads it must never let through."""

from html.parser import HTMLParser

import pytest

from tracker.core.markdown import mention_handles, plain, render

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[x](https://ok.example\" onmouseover=\"alert(1))",
    "[x](https://ok.example'onmouseover='alert(1))",
    "https://ok.example/\"><script>alert(1)</script>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "`<script>alert(1)</script>`",
    "**<img src=x onerror=alert(1)>**",
    "*<svg/onload=alert(1)>*",
    "- <script>alert(1)</script>\n- two",
    "@[<img src=x onerror=alert(1)>]",
    "<!--<script>alert(1)</script>-->",
    "<style>body{display:none}</style>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href=javascript:alert(1)//>",
    "\x00<script>alert(1)</script>",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
]

ALLOWED = {"p", "br", "strong", "em", "code", "a", "ul", "ol", "li", "span"}


class Elements(HTMLParser):
    """The real elements and attributes of an HTML fragment (escaped text is not markup)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_come_out_inert(payload):
    html = str(render(payload))
    for tag, attrs in Elements(html).found:
        assert tag in ALLOWED, html
        assert set(attrs) <= {"href", "rel", "class"}, html  # no on* handlers, no style
        if "href" in attrs:
            assert tag == "a" and attrs["rel"] == "nofollow noopener", html
            assert attrs["href"].startswith(("http://", "https://", "mailto:")), html
        if "class" in attrs:
            assert (tag, attrs["class"]) == ("span", "mention"), html
    assert "<script" not in html.lower()


def test_the_subset_renders():
    html = str(render("Hello **bold** and *it* and `a<b`\nline two\n\n- one\n- **two**\n\n"
                      "1. first\n2. second"))
    # CommonMark's serialisation puts a newline after <br> and between list items.
    assert html == ("<p>Hello <strong>bold</strong> and <em>it</em> and <code>a&lt;b</code>"
                    "<br>\nline two</p>\n<ul>\n<li>one</li>\n<li><strong>two</strong></li>\n"
                    "</ul>\n<ol>\n<li>first</li>\n<li>second</li>\n</ol>")


def test_syntax_outside_the_subset_stays_literal_text():
    html = str(render("# Title\n> quoted\n![chart](https://ex.org/c.png)"))
    assert html == ("<p># Title<br>\n&gt; quoted<br>\n"
                    '!<a href="https://ex.org/c.png" rel="nofollow noopener">chart</a></p>')


@pytest.mark.parametrize("text", ["[home](/admin)", "[f](ftp://ex.org/f)", "[p](//ex.org/p)",
                                  "see ex.org or www.ex.org", "<ftp://ex.org>"])
def test_only_web_and_mail_links_become_links(text):
    assert "<a" not in str(render(text))


def test_bare_links_keep_balanced_parentheses_but_not_closing_punctuation():
    html = str(render("(see https://ex.org/a) or https://ex.org/Foo_(bar)."))
    assert html == ('<p>(see <a href="https://ex.org/a" rel="nofollow noopener">https://ex.org/a'
                    '</a>) or <a href="https://ex.org/Foo_(bar)" rel="nofollow noopener">'
                    "https://ex.org/Foo_(bar)</a>.</p>")


def test_a_mention_shown_as_code_is_neither_rendered_nor_notified():
    assert str(render("`@[Amy]`")) == "<p><code>@[Amy]</code></p>"
    assert mention_handles("`@[Amy]` and @[Bea]") == ["Bea"]


def test_links_get_nofollow_noopener_and_bare_urls_link_up():
    html = str(render("See [the guide](https://ex.org/a?b=1&c=2) or https://ex.org/x."))
    assert html == ('<p>See <a href="https://ex.org/a?b=1&amp;c=2" rel="nofollow noopener">'
                    'the guide</a> or <a href="https://ex.org/x" rel="nofollow noopener">'
                    "https://ex.org/x</a>.</p>")


def test_mentions_render_without_the_disambiguating_number():
    assert str(render("Hi @[Amy Nurse #12]!")) == (
        '<p>Hi <span class="mention">@Amy Nurse</span>!</p>')
    assert mention_handles("@[A B] and @[C #3] and @[A B]") == ["A B", "C #3"]


def test_snake_case_and_lone_asterisks_stay_literal():
    assert str(render("use snake_case_names and 2 * 3 * 4")) == (
        "<p>use snake_case_names and 2 * 3 * 4</p>")


def test_plain_excerpt_for_notifications():
    assert plain("Hi @[Amy #2], see **this** [link](https://x.org)") == "Hi @Amy, see this link"
    assert plain("word " * 100, limit=20).endswith("…")
    assert plain("use snake_case and `a*b`\n\n- one\n- two") == "use snake_case and a*b one two"
