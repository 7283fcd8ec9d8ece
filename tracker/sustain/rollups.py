"""What the faculty dashboard and the action-period report show of issue 16: the progress
scores' distribution per month (all sites, then each network) and, for faculty, the balance
flags of each site. A fixed number of queries however many sites."""

from datetime import datetime, timedelta

from ..models import PROGRESS_SCALE, Site
from ..sites.record import work_balance
from .progress import distributions


def report(sites: list[Site], now: datetime, ids=None, networks=None) -> dict:
    """The action-period report's section; `ids`, a select of the sites' ids, and
    `networks`, the regional networks already read (see distributions)."""
    return {"progress_groups": distributions(sites, today=now.date(), ids=ids,
                                             networks=networks),
            "progress_scale": PROGRESS_SCALE}


def faculty(sites: list[Site], period, now: datetime, shown: list[Site] | None = None,
            networks=None, ids=None) -> dict:
    """The faculty dashboard's sections: the distribution over `sites`, and the balance flags
    of the sites `shown` (a page of them; all of them when not given). `networks`: the
    regional networks the page already holds, whose names the distribution need not read;
    `ids`, a select of the sites' ids (see distributions)."""
    shown = sites if shown is None else shown
    end = period.until(now) + timedelta(seconds=1)
    balance = work_balance([s.id for s in shown], period.start, end)
    rows = [(s, balance[s.id].flags) for s in shown if balance[s.id].flags]
    return {"progress_groups": distributions(sites, today=now.date(), networks=networks,
                                                 ids=ids),
            "progress_scale": PROGRESS_SCALE, "balance_rows": rows}
