"""The deterministic DrEaMing demo collaborative, and the national-scale benchmark data set.

The builder is code (`builder`, one module per group of phases); what it writes about (sites,
people, drivers and ideas, measures, cycle templates, comments, feedback, events) is data, in
`data/*.toml`, read by `tables`.
"""

from .builder import build_demo, demo_accounts
from .tables import LADDER
from .world import DEMO_PASSWORD

__all__ = ["DEMO_PASSWORD", "LADDER", "build_demo", "demo_accounts"]
