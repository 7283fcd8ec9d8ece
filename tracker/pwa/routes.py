"""/manifest.webmanifest, /sw.js and /offline: public, and nothing in them is anyone's data."""

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

from flask import Response, current_app, jsonify, render_template, url_for

from . import bp

SW_SOURCE = "sw.js"  # in the static folder; served here, from the root, with its settings
# Static files the app shell needs offline (the API docs' script is not worth a phone's space).
NOT_CACHED = {SW_SOURCE, "api-docs.js"}
BOOTSTRAP = ("css/bootstrap.min.css", "umd/popper.min.js", "js/bootstrap.min.js")


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: installable from the browser, opening on the dashboard."""
    icon = lambda name: url_for("static", filename=f"icons/{name}")  # noqa: E731
    response = jsonify({
        "name": "PDSA Tracker", "short_name": "PDSA", "id": "/", "scope": "/",
        "start_url": url_for("main.dashboard"), "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#005EB8",
        "icons": [
            {"src": icon("icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": icon("icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": icon("icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "any"},
        ],
    })
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker with its cache version and app shell. The version is a hash of the
    static files (and of Bootstrap's), so a deploy that changes any of them makes new caches
    and drops the old ones."""
    shell = _shell()
    settings = {"version": shell["version"], "shell": shell["urls"],
                "offline": url_for("pwa.offline")}
    source = Path(current_app.static_folder, SW_SOURCE).read_text(encoding="utf-8")
    body = f"const SETTINGS = {json.dumps(settings)};\n{source}"
    # Browsers check for a new worker at each visit: never from an HTTP cache.
    return Response(body, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})


@bp.get("/offline")
def offline():
    """Shown by the service worker for a page that was never saved on this device."""
    return render_template("pwa/offline.html")


def _shell() -> dict:
    """The app shell's URLs and their version, worked out once per process."""
    cached = current_app.extensions.get("pwa_shell")
    if cached is None:
        folder = Path(current_app.static_folder)
        digest = hashlib.sha256(version("Bootstrap-Flask").encode())
        urls = []
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            digest.update(name.encode() + b"\0" + path.read_bytes())
            if name not in NOT_CACHED:
                urls.append(url_for("static", filename=name))
        urls += [url_for("bootstrap.static", filename=f) for f in BOOTSTRAP]
        cached = current_app.extensions["pwa_shell"] = {
            "version": digest.hexdigest()[:16], "urls": urls}
    return cached
