"""iCalendar (RFC 5545) for learning events, written by hand: it is a small text format.

CRLF line endings, lines folded at 75 octets (never inside a UTF-8 character), TEXT values
escaped (backslash, semicolon, comma, newline), times in UTC ("Z"), a stable UID per event,
and SEQUENCE bumped on each change so subscribed calendars take updates and cancellations.
No Flask: callers pass the values.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

PRODID = "-//PDSA Tracker//Learning events//EN"


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


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, newlines as \\n."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, continuations starting with a
    space, splitting only between UTF-8 characters."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # a continuation byte
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # the leading space of a continuation line is one octet
    return "\r\n ".join(parts)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def calendar(entries: Iterable[Entry], *, name: str, now: datetime) -> str:
    """A VCALENDAR with one VEVENT per entry, as text with CRLF line endings."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(name)}",
             "REFRESH-INTERVAL;VALUE=DURATION:PT6H", "X-PUBLISHED-TTL:PT6H"]
    for e in entries:
        lines += ["BEGIN:VEVENT", f"UID:{e.uid}", f"DTSTAMP:{stamp(now)}",
                  f"LAST-MODIFIED:{stamp(e.stamp)}", f"SEQUENCE:{e.sequence}",
                  f"DTSTART:{stamp(e.starts_at)}"]
        if e.ends_at is not None and e.ends_at > e.starts_at:
            lines.append(f"DTEND:{stamp(e.ends_at)}")
        lines.append(f"SUMMARY:{escape(e.summary)}")
        if e.location:
            lines.append(f"LOCATION:{escape(e.location)}")
        if e.description:
            lines.append(f"DESCRIPTION:{escape(e.description)}")
        if e.url:
            lines.append(f"URL:{e.url}")
        if e.category:
            lines.append(f"CATEGORIES:{escape(e.category)}")
        lines += [f"STATUS:{'CANCELLED' if e.cancelled else 'CONFIRMED'}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
