"""What the faculty dashboard and the action-period report show of issue 16: the progress
scores' distribution per month (all sites, then each network) and, for faculty, the balance
flags of each site. A fixed number of queries however many sites."""

from datetime import datetime, timedelta

from ..models import PROGRESS_SCALE, Site
from ..sites.record import work_balance
from .progress import distributions


def report(sites: list[Site], now: datetime) -> dict:
    """The action-period report's section."""
    return {"progress_groups": distributions(sites, today=now.date()),
            "progress_scale": PROGRESS_SCALE}


def faculty(sites: list[Site], period, now: datetime) -> dict:
    """The faculty dashboard's sections: distribution and balance flags."""
    end = period.until(now) + timedelta(seconds=1)
    balance = work_balance([s.id for s in sites], period.start, end)
    rows = [(s, balance[s.id].flags) for s in sites if balance[s.id].flags]
    return {**report(sites, now), "balance_rows": rows}
