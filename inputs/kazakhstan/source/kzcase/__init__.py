"""The Kazakhstan case generator, one module per source domain.

common    zones, periods, the hourly calendar, the CSV writer
system    periods, settings, fuels and fuel limits, reserve margins (policy and money)
fleet     technologies, the plant list -> existing capacity, winter availability, hydro, CHP
demand    oblast consumption -> hourly demand and its growth by zone
profiles  wind, solar and small-hydro availability
network   corridors, interconnectors, trade
partners  who builds what, where, on which terms; build options and shared potentials

Each module holds its sourced constants (as frozen records, never mutated) and functions that
return the rows of its tables; ``build_case.py`` writes every table once.
"""
