"""The one declaration of every input table and column.

Loading, default-filling, validation and ``docs/inputs.md`` all read ``TABLES``
and ``SETTINGS`` below; no column is known anywhere else.

Base units, stated once: power in MW, energy in MWh, money in USD of the
case's stated currency year, emissions in tonnes of CO2, fuel energy in MWh of
thermal input (MWh_th). A period is named by its first calendar year.

Index letters used throughout the engine: z zone, g technology, p period,
t timestep, l corridor, i interconnector, b build option, k partner, f fuel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DType = Literal["str", "int", "float", "bool"]


def _num(x: float) -> str:
    """A bound as written in messages and docs: 0.5, 2200, 1e7 (not 1e+07)."""
    text = f"{x:g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        text = f"{mantissa}e{int(exp)}"
    return text


@dataclass(frozen=True)
class Column:
    """One input column: its type, unit, whether it is required, and its meaning."""

    name: str
    dtype: DType
    unit: str
    meaning: str
    required: bool = True
    default: object = None  # used when optional and the cell or column is empty
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    ref: str | None = None  # "table.column" that every non-empty value must exist in
    key: bool = False  # part of the table's unique key
    nullable: bool = False  # optional with no default: empty means "no limit"/"none"
    unlimited: bool = False  # "inf" is accepted and means the same as empty: no limit
    choices: tuple[str, ...] | None = None

    def valid_text(self) -> str:
        """How a valid value looks, for error messages and docs."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        kind = {"str": "text", "int": "a whole number", "float": "a number",
                "bool": "0 or 1"}[self.dtype]
        lo = None if self.min is None else (f"> {_num(self.min)}" if self.min_exclusive else f">= {_num(self.min)}")
        hi = None if self.max is None else f"<= {_num(self.max)}"
        rng = " and ".join(x for x in (lo, hi) if x)
        text = f"{kind} {rng}".strip() + (f" ({self.unit})" if self.unit else "")
        return text + (", or empty or inf for no limit" if self.unlimited else "")


@dataclass(frozen=True)
class Table:
    """One CSV file of a case folder."""

    name: str
    meaning: str
    columns: tuple[Column, ...]
    required: bool = True
    extra: tuple[str, ...] = field(default_factory=tuple)  # notes for the docs

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def key(self) -> list[str]:
        return [c.name for c in self.columns if c.key]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def C(name: str, dtype: DType, unit: str, meaning: str, **kw) -> Column:
    return Column(name, dtype, unit, meaning, **kw)


_PU = dict(min=0.0, max=1.0)

# Magnitude bounds: far above any real system, far below where the solver's numbers break down
# (HiGHS takes 1e20 as infinity; a demand of 1e21 MW passed validation and ended as "Infeasible").
# They catch a wrong exponent or unit (USD/MW written as USD/kW), never a realistic value: a
# national system of 1e6 MW in a stress test is a tenth of the bound.
MAX_MW = 1e7  # 10 TW, more than the world's installed capacity (about 9 TW in 2024)
MAX_MWH = 1e11  # MAX_MW for a whole (leap) year, 8.8e10 MWh, rounded up; also MWh_th of fuel
MAX_PRICE = 1e6  # USD per unit (kW, kWh, MWh, MWh_th, t, MW-km): a thousand times the dearest real cost
MAX_USD = 1e15  # USD in total: ten times the world's annual output
MAX_T = 1e11  # t of CO2 a year: more than twice the world's emissions
# Physical bounds of the other columns, each far beyond any real plant, fuel or system (a value past one is a
# typing or unit error), and each keeping the model's coefficients within what the solver computes with: an
# unbounded heat rate, emission factor, duration or margin of 1e25 passed validation and HiGHS then refused
# to run (exit 3) or called the model infeasible.
MAX_HEAT_RATE = 20.0  # MWh_th/MWh: 5 % efficiency; the least efficient plants in service burn about 4 (25 %)
MAX_CO2_FACTOR = 1.0  # t/MWh_th: more than twice the dirtiest fuel (peat and lignite emit about 0.4)
MAX_DURATION_H = 10_000.0  # h: more than a year of full output; seasonal storage holds a few thousand hours
MAX_LIFETIME_YR = 200  # yr: twice the longest-lived plants (dams, about 100 years)
MAX_PERIOD_YEARS = 100  # yr: a century in one period; a plan's periods are 1 to 10 years long
MAX_MARGIN_PU = 10.0  # 1000 %: planning reserve margins are 10 to 30 %
MAX_LENGTH_KM = 20_000.0  # km: half the Earth's circumference, the farthest apart two places can be
MAX_HOURS = 8784.0  # h: a leap year, the most hours a timestep's weight or a modelled year can have
MAX_DEMAND_MULTIPLIER = 1000.0  # demand growth over the reference year (a small region may grow manyfold)
MAX_ID = 1e12  # timestep and block numbers: a century of hours is 876,600, and date-like ids (YYYYMMDDHHMM, 2e11)
#                must still fit; every id stays exact as a 64-bit integer and as a float (2**53 = 9e15)
COMMITMENT_MAX = {"MW": MAX_MW, "USD": MAX_USD, "MWh/yr": MAX_MWH}  # a programme's size (partner_commitments.csv
# quantity, placement --programme) by its unit
_MW = dict(min=0.0, max=MAX_MW)
_MWH = dict(min=0.0, max=MAX_MWH)
_PRICE = dict(min=0.0, max=MAX_PRICE)

TABLES: tuple[Table, ...] = (
    Table("settings", "System-wide settings as name/value rows; names and types are listed under Settings.", (
        C("setting", "str", "", "Setting name (see Settings).", key=True),
        C("value", "str", "", "Setting value, in the unit the setting names."),
    )),
    Table("periods", "Investment periods, each named by its first year.", (
        C("period", "int", "year", "First calendar year of the period.", key=True, min=1900, max=2200),
        C("years", "int", "yr", "Calendar years the period represents (its weight in the objective).",
          min=1, max=MAX_PERIOD_YEARS),
        C("co2_price_usd_per_t", "float", "USD/t", "Carbon price paid on every tonne emitted.",
          required=False, default=0.0, **_PRICE),
        C("co2_cap_t", "float", "t/yr", "Cap on annual emissions; empty for none.",
          required=False, nullable=True, min=0.0, max=MAX_T),
        C("min_renewable_share", "float", "fraction",
          "Minimum share of annual generation from technologies flagged renewable.",
          required=False, default=0.0, **_PU),
        C("max_net_import_share", "float", "fraction",
          "Maximum annual net imports over interconnectors as a share of annual demand; empty for none.",
          required=False, nullable=True, **_PU),
    )),
    Table("zones", "Zones (nodes) of the network.", (
        C("zone", "str", "", "Zone id.", key=True),
        C("name", "str", "", "Readable name.", required=False, default=""),
        C("region", "str", "", "Group of zones, used for regional reserve margins and reports.",
          required=False, default=""),
        C("lat", "float", "deg", "Latitude of the zone's centre (maps, solar geometry).",
          required=False, nullable=True, min=-90, max=90),
        C("lon", "float", "deg", "Longitude of the zone's centre.", required=False, nullable=True, min=-180, max=180),
    )),
    Table("fuels", "Fuels burned by thermal technologies.", (
        C("fuel", "str", "", "Fuel id.", key=True),
        C("price_usd_per_mwh_th", "float", "USD/MWh_th", "Delivered fuel price.", **_PRICE),
        C("co2_t_per_mwh_th", "float", "t/MWh_th", "Emission factor per unit of fuel energy.",
          required=False, default=0.0, min=0.0, max=MAX_CO2_FACTOR),
    ), required=False),
    Table("fuel_limits", "Optional cap on annual fuel use per period (e.g. gas supply).", (
        C("fuel", "str", "", "Fuel id.", key=True, ref="fuels.fuel"),
        C("period", "int", "year", "Period.", key=True, ref="periods.period"),
        C("max_use_mwh_th", "float", "MWh_th/yr", "Maximum annual fuel use by all plants.", **_MWH),
    ), required=False),
    Table("technologies", "Technologies: costs, performance and roles.", (
        C("technology", "str", "", "Technology id.", key=True),
        C("name", "str", "", "Readable name.", required=False, default=""),
        C("kind", "str", "", "Role in the model.", choices=("thermal", "variable", "hydro", "storage")),
        C("fuel", "str", "", "Fuel burned; empty for none.", required=False, nullable=True, ref="fuels.fuel"),
        C("heat_rate_mwh_th_per_mwh", "float", "MWh_th/MWh", "Fuel burned per MWh generated.",
          required=False, default=0.0, min=0.0, max=MAX_HEAT_RATE),
        C("capex_usd_per_kw", "float", "USD/kW", "Overnight cost of power capacity (build options may override).",
          required=False, default=0.0, **_PRICE),
        C("capex_usd_per_kwh", "float", "USD/kWh",
          "Overnight cost of storage energy capacity, used when duration_h is empty.",
          required=False, default=0.0, **_PRICE),
        C("fom_usd_per_kw_yr", "float", "USD/kW-yr",
          "Fixed operation and maintenance cost, charged on all "
          "capacity in service: existing cohorts as well as new builds.",
          required=False, default=0.0, **_PRICE),
        C("vom_usd_per_mwh", "float", "USD/MWh", "Variable operation and maintenance cost.",
          required=False, default=0.0, **_PRICE),
        C("lifetime_yr", "int", "yr", "Economic and technical lifetime of new capacity.", min=1, max=MAX_LIFETIME_YR),
        C("availability_pu", "float", "fraction",
          "Available share of capacity in every timestep, unless a profile is given.",
          required=False, default=1.0, **_PU),
        C("min_output_pu", "float", "fraction",
          "Minimum output as a share of capacity in every timestep, unless a profile is given.",
          required=False, default=0.0, **_PU),
        C("capacity_credit_pu", "float", "fraction", "Share of capacity counted as firm in the reserve margin.",
          required=False, default=0.0, **_PU),
        C("renewable", "bool", "", "Counts towards the minimum renewable share.", required=False, default=False),
        C("efficiency_charge", "float", "fraction", "Storage charging efficiency.",
          required=False, default=1.0, min=0.0, max=1.0, min_exclusive=True),
        C("efficiency_discharge", "float", "fraction", "Storage discharging efficiency.",
          required=False, default=1.0, min=0.0, max=1.0, min_exclusive=True),
        C("duration_h", "float", "h", "Storage: fixed energy-to-power ratio; empty to size energy separately.",
          required=False, nullable=True, min=0.0, min_exclusive=True, max=MAX_DURATION_H),
    )),
    Table("existing_capacity", "Existing plants, aggregated to zone × technology × commissioning cohort.", (
        C("zone", "str", "", "Zone.", key=True, ref="zones.zone"),
        C("technology", "str", "", "Technology.", key=True, ref="technologies.technology"),
        C("build_year", "int", "year", "Commissioning year of the cohort.", key=True, min=1900, max=2200),
        C("capacity_mw", "float", "MW", "Available (derated) capacity of the cohort.", **_MW),
        C("retirement_year", "int", "year",
          "First year the cohort is no longer available; empty for build_year + lifetime_yr of "
          "the technology (a cohort that so retires before the first period is warned about).",
          required=False, nullable=True, min=1900, max=2300),
        C("energy_mwh", "float", "MWh", "Storage energy capacity of the cohort (storage with no fixed duration).",
          required=False, default=0.0, **_MWH),
    ), required=False),
    Table("partners", "Who finances and builds: cost of capital and limits.", (
        C("partner", "str", "", "Partner id.", key=True),
        C("name", "str", "", "Readable name.", required=False, default=""),
        C("country", "str", "", "Country of the partner.", required=False, default=""),
        C("wacc", "float", "fraction/yr", "Cost of capital used to annualise this partner's builds.", min=0.0, max=1.0),
        C("eligible_technologies", "str", "", "Technologies the partner may build, separated by ';'; empty for all.",
          required=False, default=""),
        C("min_share", "float", "fraction", "Minimum share of each period's new capacity (MW) built by this partner.",
          required=False, default=0.0, **_PU),
        C("max_share", "float", "fraction", "Maximum share of each period's new capacity (MW) built by this partner.",
          required=False, default=1.0, **_PU),
    ), required=False),
    Table("partner_envelopes", "Investment a partner can commit per period.", (
        C("partner", "str", "", "Partner.", key=True, ref="partners.partner"),
        C("period", "int", "year", "Period.", key=True, ref="periods.period"),
        C("max_investment_usd", "float", "USD", "Overnight capex of builds in this period.", min=0.0, max=MAX_USD),
    ), required=False),
    Table("partner_zone_caps", "Cap on a partner's new capacity in a zone.", (
        C("partner", "str", "", "Partner.", key=True, ref="partners.partner"),
        C("zone", "str", "", "Zone.", key=True, ref="zones.zone"),
        C("max_new_mw", "float", "MW", "Cumulative new capacity over the horizon.", **_MW),
    ), required=False),
    Table("partner_commitments", "A partner's minimum programme: what it must have built by a period, in MW, in USD of "
          "overnight capex, or in MWh a year of available energy, optionally only of one technology or in one zone. "
          "Applied only when the run specification sets scenario.partner_commitments = true "
          "(planner/model/commitments.py).", (
        C("partner", "str", "", "Partner whose programme this is.", key=True, ref="partners.partner"),
        C("period", "int", "year",
          "Period by which the programme must be built: builds in this and earlier periods count.",
          key=True, ref="periods.period"),
        C("technology", "str", "", "Only builds of this technology count; empty for all the partner builds.",
          key=True, required=False, default="", ref="technologies.technology"),
        C("zone", "str", "", "Only builds in this zone count; empty for every zone.",
          key=True, required=False, default="", ref="zones.zone"),
        C("unit", "str", "",
          "What quantity measures: MW of new capacity, USD of overnight capex, or MWh/yr of energy the "
          "new capacity can make available (capacity x availability x hours).",
          key=True, choices=("MW", "USD", "MWh/yr")),
        C("quantity", "float", "MW, USD or MWh/yr (as unit says)",
          f"Minimum size of the programme: at most {_num(MAX_MW)} in MW, {_num(MAX_MWH)} in MWh/yr ({_num(MAX_USD)} "
          "in USD, the bound below).", min=0.0, max=MAX_USD),
    ), required=False),
    Table("build_options", "What may be built where, by whom, on which terms.", (
        C("zone", "str", "", "Zone.", key=True, ref="zones.zone"),
        C("technology", "str", "", "Technology.", key=True, ref="technologies.technology"),
        C("partner", "str", "", "Partner offering the option; empty for unattributed.",
          key=True, required=False, default="", ref="partners.partner"),
        C("capex_usd_per_kw", "float", "USD/kW", "Overnight cost; empty for the technology's.",
          required=False, nullable=True, **_PRICE),
        C("first_period", "int", "year", "Earliest period the option can be built in; empty for the first.",
          required=False, nullable=True, min=1900, max=2200),
        C("last_period", "int", "year", "Latest period the option can be built in; empty for the last.",
          required=False, nullable=True, min=1900, max=2200),
        C("min_new_mw", "float", "MW", "Cumulative capacity that must be built over the horizon (committed projects).",
          required=False, default=0.0, **_MW),
        C("max_new_mw", "float", "MW",
          "Cumulative capacity that may be built over the horizon; empty or inf for no limit, 0 for none.",
          required=False, nullable=True, unlimited=True, **_MW),
    ), required=False),
    Table("build_potentials", "Resource or site potential shared by every partner's option for a zone × technology.", (
        C("zone", "str", "", "Zone.", key=True, ref="zones.zone"),
        C("technology", "str", "", "Technology.", key=True, ref="technologies.technology"),
        C("max_new_mw", "float", "MW", "New capacity over the horizon, summed over all partners' options.", **_MW),
    ), required=False),
    Table("timesteps", "Hours modelled and the hours of a year each stands for.", (
        C("timestep", "int", "", "Timestep id (hours in order).", key=True, min=0, max=MAX_ID),
        C("weight", "float", "h/h",
          "Hours of a year this timestep represents; the weights add up to a year (8760 h, 8784 h in a leap "
          "year, or the setting hours_per_year). Operation is hourly whatever the weight: storage charges and "
          "discharges in 1-hour steps, and the weight only scales annual energy, fuel, emissions and costs.",
          min=0.0, min_exclusive=True, max=MAX_HOURS),
        C("block", "int", "", "Group of consecutive timesteps (a representative day or week) over which storage wraps.",
          required=False, default=0, min=0, max=MAX_ID),
        C("month", "int", "", "Calendar month, for reports.", required=False, nullable=True, min=1, max=12),
    )),
    Table("demand", "Electricity demand per zone and timestep in the reference year.", (
        C("zone", "str", "", "Zone.", key=True, ref="zones.zone"),
        C("timestep", "int", "", "Timestep.", key=True, ref="timesteps.timestep"),
        C("demand_mw", "float", "MW", "Average demand in the hour.", **_MW),
    )),
    Table("demand_growth", "Demand in each period relative to the reference year.", (
        C("zone", "str", "", "Zone.", key=True, ref="zones.zone"),
        C("period", "int", "year", "Period.", key=True, ref="periods.period"),
        C("multiplier", "float", "", "Demand of the period divided by demand of the reference year "
          f"(demand_mw x multiplier must stay <= {_num(MAX_MW)} MW).",
          min=0.0, max=MAX_DEMAND_MULTIPLIER),
    ), required=False),
    Table("availability", "Hourly availability (capacity factor) profiles.", (
        C("zone", "str", "", "Zone.", key=True, ref="zones.zone"),
        C("technology", "str", "", "Technology.", key=True, ref="technologies.technology"),
        C("timestep", "int", "", "Timestep.", key=True, ref="timesteps.timestep"),
        C("availability_pu", "float", "fraction", "Share of capacity available.", **_PU),
    ), required=False),
    Table("min_output", "Hourly minimum output profiles (must-run, e.g. combined heat and power in winter).", (
        C("zone", "str", "", "Zone.", key=True, ref="zones.zone"),
        C("technology", "str", "", "Technology.", key=True, ref="technologies.technology"),
        C("timestep", "int", "", "Timestep.", key=True, ref="timesteps.timestep"),
        C("min_output_pu", "float", "fraction", "Minimum output as a share of capacity.", **_PU),
    ), required=False),
    Table("hydro_budgets", "Energy available to reservoir hydro per period (inflow).", (
        C("zone", "str", "", "Zone.", key=True, ref="zones.zone"),
        C("technology", "str", "", "Technology (kind hydro).", key=True, ref="technologies.technology"),
        C("period", "int", "year", "Period.", key=True, ref="periods.period"),
        C("energy_mwh", "float", "MWh/yr", "Annual energy the plants may generate.", **_MWH),
    ), required=False),
    Table("corridors", "Transmission corridors between zones (transport model).", (
        C("corridor", "str", "", "Corridor id.", key=True),
        C("from_zone", "str", "", "One end.", ref="zones.zone"),
        C("to_zone", "str", "", "Other end.", ref="zones.zone"),
        C("capacity_mw", "float", "MW", "Existing transfer capacity, each direction.", **_MW),
        C("available_from", "int", "year", "First year the existing capacity is in service.",
          required=False, default=0, min=0, max=2300),
        C("loss_pu", "float", "fraction", "Share of the sent power lost on the way.",
          required=False, default=0.0, min=0.0, max=1.0),
        C("length_km", "float", "km", "Length, for expansion cost.", required=False, default=0.0, min=0.0,
          max=MAX_LENGTH_KM),
        C("capex_usd_per_mw_km", "float", "USD/MW-km",
          "Overnight cost of new capacity per MW and km of length_km; annualised with the "
          "discount_rate setting over lifetime_yr (capital recovery factor), like unattributed builds.",
          required=False, default=0.0, **_PRICE),
        C("max_new_mw", "float", "MW",
          "New capacity that may be built over the horizon; empty or inf for no limit (as in build_options.csv), "
          "0 for none. A corridor that may expand needs capex_usd_per_mw_km > 0 and length_km > 0.",
          required=False, nullable=True, unlimited=True, **_MW),
        C("lifetime_yr", "int", "yr", "Lifetime of new capacity.", required=False, default=40, min=1,
          max=MAX_LIFETIME_YR),
        C("capacity_credit_pu", "float", "fraction",
          "Share of capacity into a region counted as firm for its reserve margin.",
          required=False, default=0.0, **_PU),
    ), required=False),
    Table("interconnectors", "Links to external markets.", (
        C("interconnector", "str", "", "Interconnector id.", key=True),
        C("zone", "str", "", "Zone it connects to.", ref="zones.zone"),
        C("market", "str", "", "External market (e.g. a neighbouring country)."),
        C("import_mw", "float", "MW", "Import capacity.", **_MW),
        C("export_mw", "float", "MW", "Export capacity.", **_MW),
        C("capacity_credit_pu", "float", "fraction", "Share of import capacity counted as firm in the reserve margin.",
          required=False, default=0.0, **_PU),
    ), required=False),
    Table("trade_prices", "Trade terms per interconnector and period.", (
        C("interconnector", "str", "", "Interconnector.", key=True, ref="interconnectors.interconnector"),
        C("period", "int", "year", "Period.", key=True, ref="periods.period"),
        C("import_price_usd_per_mwh", "float", "USD/MWh", "Price paid for imports.",
          min=-MAX_PRICE, max=MAX_PRICE),
        C("export_price_usd_per_mwh", "float", "USD/MWh", "Price received for exports.",
          min=-MAX_PRICE, max=MAX_PRICE),
        C("min_import_mwh", "float", "MWh/yr",
          "Annual imports that must be taken (contracted or observed flows); empty for none.",
          required=False, nullable=True, **_MWH),
        C("max_import_mwh", "float", "MWh/yr", "Annual import limit; empty for none.",
          required=False, nullable=True, **_MWH),
        C("max_export_mwh", "float", "MWh/yr", "Annual export limit; empty for none.",
          required=False, nullable=True, **_MWH),
    ), required=False),
    Table("reserve_margins", "Planning reserve margin per region (or the whole system) and period.", (
        C("region", "str", "", "A region of zones.csv, or * for the whole system.", key=True),
        C("period", "int", "year", "Period.", key=True, ref="periods.period"),
        C("margin_pu", "float", "fraction", "Firm capacity must cover peak demand × (1 + margin).",
          min=0.0, max=MAX_MARGIN_PU),
    ), required=False),
)

TABLE = {t.name: t for t in TABLES}

SETTINGS: tuple[Column, ...] = (
    C("value_of_lost_load_usd_per_mwh", "float", "USD/MWh", "Cost of each MWh of demand not served.",
      min=0.0, max=MAX_PRICE, min_exclusive=True),
    C("discount_rate", "float", "fraction/yr",
      "Social discount rate for present values, and cost of capital for unattributed builds.",
      min=0.0, max=1.0),
    C("base_year", "int", "year", "Year costs are discounted to; empty for the first period.",
      required=False, nullable=True, min=1900, max=2200),
    C("currency_year", "int", "year", "Year of the USD all costs are stated in (documentation only).",
      required=False, nullable=True, min=1900, max=2200),
    C("hours_per_year", "float", "h",
      "Hours the timestep weights must add up to; empty for a calendar year (8760, or 8784 in a leap "
      "year). Set it only to model a deliberately shorter year, such as a hand-checked test case.",
      required=False, nullable=True, min=1.0, max=MAX_HOURS),
)
SETTING = {c.name: c for c in SETTINGS}
