"""The regular period grid of a measure: weeks start on a Monday, months on the 1st."""

from datetime import date, timedelta

from ..models import Frequency


def period_start(day: date, frequency: Frequency) -> date:
    """The start of the week (Monday) or month that contains `day`."""
    if frequency == Frequency.MONTHLY:
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def is_period_start(day: date, frequency: Frequency) -> bool:
    return period_start(day, frequency) == day


def next_period(start: date, frequency: Frequency) -> date:
    if frequency == Frequency.MONTHLY:
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + timedelta(weeks=1)


def previous_period(start: date, frequency: Frequency) -> date:
    if frequency == Frequency.MONTHLY:
        return (start.replace(day=1) - timedelta(days=1)).replace(day=1)
    return start - timedelta(weeks=1)


def current_period(frequency: Frequency, today: date | None = None) -> date:
    """The period under way today: data for it may be entered, never for a later one."""
    return period_start(today or date.today(), frequency)


def periods_between(first: date, last: date, frequency: Frequency) -> list[date]:
    """Every period start from `first` to `last`, both included."""
    out, start = [], period_start(first, frequency)
    while start <= last:
        out.append(start)
        start = next_period(start, frequency)
    return out


def recent_periods(frequency: Frequency, count: int, today: date | None = None) -> list[date]:
    """The last `count` periods up to the current one, newest first."""
    out = [current_period(frequency, today)]
    while len(out) < count:
        out.append(previous_period(out[-1], frequency))
    return out


def label(start: date, frequency: Frequency) -> str:
    """'3 Mar 2026' for a week (its Monday), 'Mar 2026' for a month."""
    if frequency == Frequency.MONTHLY:
        return start.strftime("%b %Y")
    return f"{start.day} {start.strftime('%b %Y')}"


def unit(frequency: Frequency, count: int = 1) -> str:
    word = "month" if frequency == Frequency.MONTHLY else "week"
    return word if count == 1 else word + "s"
