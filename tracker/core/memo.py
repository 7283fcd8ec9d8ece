"""Bounded in-process caches of results that are a pure function of their key, one per app.

Nothing is ever invalidated: a key holds everything the result is made from (the data itself,
or a version that every write moves), so a change is a different key and the old entry simply
ages out. That is also why each app server (and each worker) may keep its own: two of them can
never disagree, only miss. Outside an app (a unit test of a pure function) nothing is kept.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import TypeVar

from flask import current_app, has_app_context

T = TypeVar("T")
_MISSING = object()


class Key:
    """A key made of many parts (a chart's every point...), hashed once: a plain tuple is
    hashed again at every lookup, and again inside every key that holds it."""

    __slots__ = ("parts", "_hash")

    def __init__(self, *parts: Hashable) -> None:
        self.parts = parts
        self._hash = hash(parts)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, Key) and self._hash == other._hash
                                 and self.parts == other.parts)


class Memo:
    """The most recently used `size` results, by key (thread-safe)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The result kept for `key`, else `make()`'s, kept. `make` runs outside the lock."""
        with self._lock:
            value = self._kept.get(key, _MISSING)
            if value is not _MISSING:
                self._kept.move_to_end(key)
                return value  # type: ignore[return-value]
        value = make()
        with self._lock:
            self._kept[key] = value
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)


def memo(name: str, size: int) -> Memo | None:
    """The current app's memo called `name` (made on first use), or None outside an app."""
    if not has_app_context():
        return None
    memos = current_app.extensions.setdefault("memos", {})
    return memos[name] if name in memos else memos.setdefault(name, Memo(size))


def kept(name: str, size: int, key: Hashable, make: Callable[[], T]) -> T:
    """`make()`, kept in the app's memo `name` under `key` (made every time outside an app)."""
    found = memo(name, size)
    return make() if found is None else found.get(key, make)
