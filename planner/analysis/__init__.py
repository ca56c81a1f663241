"""The analysis layer: what a run's stored result tables mean, computed from those tables alone.

    deficit     the capacity deficit, one definition for every report (docs/deficit.md): zone, region
                and system deficits before and after new builds, and each owner's share closed
    partners    the partner report: who builds what, where, at what cost and revenue, and the deficit
                each partner closes (attribution by capacity in service)
    metrics     the headline figures every report, summary and study quotes, each defined once

The reports (planner/report/), the summary (planner/summary.py), the studies and the Python API
(planner/api.py) only read and render these; a figure computed here is never recomputed there. The
costs and firm capacity they start from are what the model itself computed (results' cost_terms and
firm_capacity, planner/results.py), and their formulas are planner/core's. The transport relaxation
the deficit solves is planner/deficit_lp.py.
"""
