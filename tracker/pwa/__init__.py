"""The installable app: its manifest, its service worker (served from the site root, so its
scope is the whole site) and the page shown offline when a page was never saved."""

from flask import Blueprint

bp = Blueprint("pwa", __name__)

from . import routes  # noqa: E402,F401
