"""Pure formulas shared by the model families and the analysis of results.

No Pyomo, no result tables, no imports from the rest of the planner: each formula
is written once here (``economics``: money and time; ``adequacy``: firm capacity
against a reserve margin; ``names``: the labels and rules every layer shares),
and the LP, the result tables and the reports all call it.
"""
