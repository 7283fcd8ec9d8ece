"""What the faculty dashboard and the action-period report show of issue 16: the progress
scores' distribution per month (all sites, then each network) and, for faculty, the balance
flags of each site. A fixed number of queries however many sites."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from ..models import PROGRESS_SCALE, Site
from ..sites.record import work_balance
from .progress import distributions


def report(ids: sa.Select, now: datetime, networks=None) -> dict:
    """The action-period report's section, over the sites whose ids `ids` selects;
    `networks`, the regional networks already read (see distributions)."""
    return {"progress_groups": distributions(ids, today=now.date(), networks=networks),
            "progress_scale": PROGRESS_SCALE}


def faculty(ids: sa.Select, period, now: datetime, shown: list[Site], networks=None) -> dict:
    """The faculty dashboard's sections: the distribution over the sites whose ids `ids`
    selects, and the balance flags of the sites `shown` (a page of them). `networks`: the
    regional networks the page already holds, whose names the distribution need not read."""
    end = period.until(now) + timedelta(seconds=1)
    balance = work_balance([s.id for s in shown], period.start, end)
    rows = [(s, balance[s.id].flags) for s in shown if balance[s.id].flags]
    return {"progress_groups": distributions(ids, today=now.date(), networks=networks),
            "progress_scale": PROGRESS_SCALE, "balance_rows": rows}
