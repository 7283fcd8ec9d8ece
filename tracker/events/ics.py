"""iCalendar (RFC 5545) for learning events, written with the `icalendar` library.

The library gives CRLF line endings, lines folded at 75 octets (never inside a UTF-8
character) and TEXT values escaped (backslash, semicolon, comma, newline). This module
chooses what goes in: times in UTC ("Z"), a stable UID per event, and SEQUENCE bumped on each
change so subscribed calendars take updates and cancellations. No Flask: callers pass values.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vDuration, vText

PRODID = "-//PDSA Tracker//Learning events//EN"
REFRESH = timedelta(hours=6)  # how often subscribed calendars should fetch the feed again


@dataclass(frozen=True)
class Entry:
    uid: str
    summary: str
    starts_at: datetime  # naive UTC
    ends_at: datetime | None
    stamp: datetime  # naive UTC: when the entry last changed
    sequence: int = 0
    location: str = ""
    description: str = ""
    url: str = ""
    category: str = ""
    cancelled: bool = False


def calendar(entries: Iterable[Entry], *, name: str, now: datetime) -> str:
    """A VCALENDAR with one VEVENT per entry, as text with CRLF line endings."""
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # vText: the library would write an X- property's value without escaping it.
    cal.add("x-wr-calname", vText(name))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})  # RFC 7986
    cal.add("x-published-ttl", vDuration(REFRESH))  # the same, for Outlook
    for entry in entries:
        cal.add_component(_event(entry, now))
    return cal.to_ical(sorted=False).decode("utf-8")  # properties in the order added


def _event(e: Entry, now: datetime) -> Event:
    event = Event()
    event.add("uid", e.uid)
    event.add("dtstamp", _utc(now))
    event.add("last-modified", _utc(e.stamp))
    event.add("sequence", e.sequence)
    event.add("dtstart", _utc(e.starts_at))
    if e.ends_at is not None and e.ends_at > e.starts_at:
        event.add("dtend", _utc(e.ends_at))
    event.add("summary", e.summary)
    if e.location:
        event.add("location", e.location)
    if e.description:
        event.add("description", e.description)
    if e.url:
        event.add("url", e.url)
    if e.category:
        event.add("categories", [e.category])
    event.add("status", "CANCELLED" if e.cancelled else "CONFIRMED")
    return event


def _utc(moment: datetime) -> datetime:
    """The app stores naive UTC; the library writes an aware UTC time with a "Z"."""
    return moment.replace(tzinfo=UTC)
