"""Tests for tracker.spc: published examples from tracker/spc/SPEC.md plus designed series per rule.

Expected numbers are literals. Where they are not quoted from the specification they were computed
independently with plain-Python formulas (noted beside each), never with tracker.spc. Indices in
the API are 0-based; the specification's 1-based positions are converted in comments.
"""
