"""Exactly-once POSTs: an entry made offline carries a key its device made (a UUID), and the
server stores each key's entry once, however often the device sends it.

The device sends the key as the `Idempotency-Key` header or the `idempotency_key` form field.
A view asks `replay()` first (a key already used answers with its original outcome and stores
nothing), then, once the entry is valid and added, `commit()` records the key in the same
transaction. A refused entry (validation, the patient-data guard, a conflict) records nothing,
so its user can fix it and send it again under the same key. Requests without a key (an old
page, the API) behave as before.
"""

import uuid
from datetime import timedelta

from flask import Response, flash, redirect, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import UsedKey, utcnow

HEADER = "Idempotency-Key"
FIELD = "idempotency_key"


def request_key() -> str | None:
    """This POST's key, normalised; None when it has none (or not a UUID: then it is ignored)."""
    if request.method != "POST":
        return None
    raw = request.headers.get(HEADER) or request.form.get(FIELD) or ""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


def used(user_id: int, key: str) -> UsedKey | None:
    """The outcome stored for this user's key, if its entry was stored."""
    return db.session.execute(
        db.select(UsedKey).filter_by(user_id=user_id, key=key)).scalar_one_or_none()


def replay(key: str | None) -> Response | None:
    """The original outcome when this user's key was used already: the same redirect and
    message, and nothing stored again. None for a new key (or none)."""
    found = used(current_user.id, key) if key else None
    if found is None:
        return None
    if found.message:
        flash(found.message, "success")
    return redirect(found.location)


def commit(key: str | None, endpoint: str, location: str, message: str = "") -> Response | None:
    """Commit the entry added to the session, with its key when it has one; None when stored.

    When a second copy of the same entry raced this one and won (the unique key refuses
    this one), nothing of this request is stored and the winner's outcome is replayed."""
    if key:
        db.session.add(UsedKey(user_id=current_user.id, key=key, endpoint=endpoint,
                               location=location, message=message[:300]))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        answer = replay(key)
        if answer is None:
            raise
        return answer
    return None


def forget_used_keys(kept_days: int) -> int:
    """Forget the keys stored more than `kept_days` ago (USED_KEYS_KEPT_DAYS): a device resends
    an entry only until it hears it was stored, so an old key will not come back, and the
    table would otherwise keep one row per offline entry for ever. Returns how many; not
    committed."""
    cutoff = utcnow() - timedelta(days=kept_days)
    return db.session.execute(
        db.delete(UsedKey).where(UsedKey.created_at < cutoff)
        .execution_options(synchronize_session=False)).rowcount
