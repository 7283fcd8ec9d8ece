"""Photos and files on cycles and change ideas: upload (camera or file), cleaning, storage,
serving through an authorised route, soft delete. See content.py for what is accepted."""

from flask import Blueprint

bp = Blueprint("attachments", __name__, url_prefix="/attachments")

from . import jobs, routes  # noqa: E402,F401  (register the views on bp, and the nightly job)
