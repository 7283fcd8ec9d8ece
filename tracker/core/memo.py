"""Bounded in-process caches of results that are a pure function of their key, one per app.

Nothing is ever invalidated: a key holds everything the result is made from (the data itself,
or a version that every write moves), so a change is a different key and the old entry simply
ages out. That is also why each app server (and each worker) may keep its own: two of them can
never disagree, only miss. Outside an app (a unit test of a pure function) nothing is kept.

A key made of much data (a chart's every stored value) is kept as its `digest`: 16 bytes, hashed
once. Large results may be kept `packed` (pickled and compressed, about a tenth of the memory
of the objects; unpacking one costs a fraction of a millisecond): each caller then gets its own
copy. Only results this process made are ever unpickled.
"""

import functools
import hashlib
import pickle
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import fields, is_dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from threading import Lock
from typing import TypeVar

from flask import current_app, has_app_context

T = TypeVar("T")
_MISSING = object()


def digest(*parts) -> bytes:
    """A 128-bit digest of `parts` by their repr: plain values (numbers, strings, dates,
    enums, and tuples, lists, dicts and frozen dataclasses of them), whose repr says all they
    hold. Anything else (a model object's repr names only its id) is refused: a key that left
    out what a result depends on would serve it stale, or to the wrong reader."""
    _check_plain(parts)
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()


_PLAIN = frozenset({str, int, float, bool, bytes, type(None), date, datetime, time, Decimal})


def _check_plain(value) -> None:
    # (A chart's key holds a thousand values: each is looked at once, by its type first.)
    kind = type(value)
    if kind in _PLAIN or isinstance(value, Enum):
        return
    if isinstance(value, tuple | list | frozenset | set):
        for item in value:
            if type(item) not in _PLAIN:
                _check_plain(item)
    elif isinstance(value, dict):
        _check_plain(tuple(value.items()))
    elif (names := _shown_fields(kind)) is not None:
        for name in names:
            item = getattr(value, name)
            if type(item) not in _PLAIN:
                _check_plain(item)
    else:
        raise TypeError(f"not a plain value, its repr may not say all it holds: {value!r}")


@functools.cache
def _shown_fields(kind: type) -> tuple[str, ...] | None:
    """A dataclass's fields when its repr shows them all (else None): once per class."""
    if not is_dataclass(kind) or not all(f.repr for f in fields(kind)):
        return None
    return tuple(f.name for f in fields(kind))


def statement_key(statement) -> Hashable | None:
    """A statement's structure and bound values (SQLAlchemy's own cache key and the values it
    leaves out), as a key: two statements with the same key read the same rows. None when
    SQLAlchemy cannot key it: keep nothing made from it then."""
    found = statement._generate_cache_key()
    if found is None:
        return None
    return found.key, tuple(_frozen(b.effective_value) for b in found.bindparams)


def _frozen(value):
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value


class Memo:
    """The most recently used `size` results, by key (thread-safe)."""

    def __init__(self, size: int, *, packed: bool = False) -> None:
        self.size, self.packed = size, packed
        self._kept: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The result kept for `key`, else `make()`'s, kept. `make` runs outside the lock."""
        with self._lock:
            value = self._kept.get(key, _MISSING)
            if value is not _MISSING:
                self._kept.move_to_end(key)
        if value is not _MISSING:
            return pickle.loads(zlib.decompress(value)) if self.packed else value  # type: ignore
        made = make()
        value = zlib.compress(pickle.dumps(made, pickle.HIGHEST_PROTOCOL), 1) if self.packed \
            else made
        with self._lock:
            self._kept[key] = value
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return made

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)


def memo(name: str, size: int, *, packed: bool = False) -> Memo | None:
    """The current app's memo called `name` (made on first use), or None outside an app."""
    if not has_app_context():
        return None
    memos = current_app.extensions.setdefault("memos", {})
    return memos[name] if name in memos else memos.setdefault(name, Memo(size, packed=packed))


def kept(name: str, size: int, key: Hashable | None, make: Callable[[], T], *,
         packed: bool = False) -> T:
    """`make()`, kept in the app's memo `name` under `key` (made every time outside an app, or
    with no key). Unpacked, every caller gets the same object: keep only what nobody changes
    (a statement, a copy made by the caller)."""
    found = memo(name, size, packed=packed)
    return make() if found is None or key is None else found.get(key, make)
