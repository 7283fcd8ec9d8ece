"""Browser tests: Debian's Chromium driven by Playwright against the app on a local port."""

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    # The server answers from its own threads and connections, so these tests' data must be
    # truly committed (the `app` fixture then empties every table after each test).
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.committed)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # No browser downloads here: drive the system Chromium.
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium") or "/usr/bin/chromium",
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic"],
    }


class _InFlight:
    """How many requests the server is answering, so a test can wait until it is idle."""

    def __init__(self):
        self.count = 0
        self.changed = threading.Condition()

    def __enter__(self):
        with self.changed:
            self.count += 1

    def __exit__(self, *exc):
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait_idle(self, timeout: float) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.count == 0, timeout=timeout)


IN_FLIGHT = _InFlight()


def _bodies_read_whole(wsgi_app):
    """Hand the development server each body as bytes, its file already closed.

    When a browser drops a connection (it leaves a page while a script is still loading),
    Werkzeug's server can fail while draining the socket and never close the static file it
    was sending; the file is then reported unclosed in whichever test runs next.
    """
    def app(environ, start_response):
        with IN_FLIGHT:
            body = wsgi_app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                if hasattr(body, "close"):
                    body.close()
    return app


@pytest.fixture(scope="session")
def _server(_committed_app):
    """One server for the whole session, on a free local port: its base URL."""
    server = make_server("127.0.0.1", 0, _bodies_read_whole(_committed_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture(autouse=True)
def _tables_emptied_last(app):
    # Asked for first, so torn down last: the tables are emptied only after the test's pages
    # have closed, and no late request from them can reach the next test's data. A request
    # the browser sent just before closing may still be running: let it finish first.
    yield
    IN_FLIGHT.wait_idle(timeout=10)


@pytest.fixture
def live_server(_server, app, _committed_app):
    """The test app served on a local port: its base URL."""
    assert app is _committed_app  # what the test writes is what the server reads
    return _server


@pytest.fixture
def phone_page(browser):
    """A page the size of a small phone (360 px wide)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def base_url():
    # Overrides pytest-playwright's own, which pytest 9 deprecates (a warning, so an error
    # here); tests use live_server's address instead.
    return None
