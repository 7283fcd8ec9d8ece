"""A small browser for the live-server tests: cookies, no redirects followed, real forms."""

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the test wants to see the 302 itself


@dataclass
class Page:
    status: int
    html: str
    location: str = ""


class Browser:
    """One person's browser: its own cookies (so its own session) against the live server."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict | list) -> Page:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=120) as response:
                return Page(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            with error:
                return Page(error.code, error.read().decode(), error.headers.get("Location", ""))

    def sign_in(self, email: str, password: str) -> None:
        fields = form_fields(self.get("/auth/login").html, having="email")
        fields.update(email=email, password=password)
        page = self.post("/auth/login", fields)
        assert page.status == 302, f"sign-in failed ({page.status})"


class _FormParser(HTMLParser):
    """The fields of the page's POST forms, as a browser would submit them (buttons aside)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []  # the open select's (value, selected)
        self._multiple = False
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._in_form = True
            self.forms.append([])
        if not self._in_form or "name" not in a and tag != "option":
            return
        if tag == "input" and a.get("type", "text") not in ("submit", "button", "image"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.forms[-1].append((a["name"], a.get("value", "on" if "checked" in a
                                                        else "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""
        elif tag == "select":
            self._select, self._options, self._multiple = a["name"], [], "multiple" in a
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # A browser drops the one line break that follows <textarea>.
            text = self._text.replace("\r\n", "\n")  # as a browser's parser normalises it
            self.forms[-1].append((self._textarea, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not self._multiple and self._options:
                chosen = [self._options[0][0]]  # a single select sends its first option
            self.forms[-1].extend((self._select, value) for value in chosen)
            self._select = None
        elif tag == "form":
            self._in_form = False


def form_pairs(html: str, having: str = "csrf_token") -> list[tuple[str, str]]:
    """The (name, value) pairs a browser would post from the page's POST form that has a
    field named `having`."""
    parser = _FormParser()
    parser.feed(html)
    return next(form for form in parser.forms if any(name == having for name, _ in form))


def form_fields(html: str, having: str = "csrf_token") -> dict[str, str]:
    """Like form_pairs, one value per name (forms without multi-selects)."""
    return dict(form_pairs(html, having))
