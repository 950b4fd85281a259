"""The demo plant's story in parameters: the drift and shortage ramps, stop reasons, defect mix and incident texts.

Line 2's filler degrades (``DRIFT_LINE``, ramped over ``DRIFT_RAMP_DAYS``) and a supplier problem adds Material
shortage stops on every line (``SHORTAGE_RAMP_DAYS``); ``generator`` turns these tables into rows.
"""

from __future__ import annotations

from dataclasses import dataclass

PLAN_FACTOR = 0.66  # planned quantity = ideal units of the planned production time × this
DRIFT_LINE = "L2"  # the line whose filler degrades
DRIFT_RAMP_DAYS = 35  # the drift starts 42 days before the anchor and is complete 7 days before it
SHORTAGE_RAMP_DAYS = 14  # the supplier problem starts 28 days before the anchor, complete 14 days before it

_HOUR = 3600
_DAY = 86400


@dataclass(frozen=True)
class _Reason:
    """An unplanned stop reason: how often per hour of production, how long (median minutes), on what."""

    name: str
    per_hour: float
    median_min: float
    equipment: tuple[str, ...]


_FILLING_REASONS = (
    _Reason("Filler jam", 0.28, 8.0, ("Filler",)),
    _Reason("Capper fault", 0.18, 7.0, ("Capper",)),
    _Reason("Label misfeed", 0.045, 6.0, ("Labeller",)),
    _Reason("Conveyor blockage", 0.035, 5.5, ("Conveyor",)),
    _Reason("Material shortage", 0.03, 12.0, ("Bottle infeed", "Cap feeder")),
    _Reason("Sensor fault", 0.025, 6.0, ("Filler", "Capper", "Labeller", "Conveyor")),
    _Reason("Electrical fault", 0.01, 20.0, ("Filler", "Control cabinet")),
)
#: packing lines stop less often than filling lines, but for longer (no filler, no capper)
_PACKING_REASONS = (
    _Reason("Label misfeed", 0.08, 9.0, ("Labeller",)),
    _Reason("Conveyor blockage", 0.075, 10.0, ("Conveyor",)),
    _Reason("Material shortage", 0.05, 9.0, ("Carton magazine",)),
    _Reason("Sensor fault", 0.04, 8.0, ("Case packer", "Shrink wrapper")),
    _Reason("Electrical fault", 0.012, 16.0, ("Palletiser", "Control cabinet")),
)
#: how much more often than the reason table each line stops
_LINE_LOSS = {"L1": 1.27, "L2": 1.32, "L3": 2.85, "L4": 3.0}
_DEFECTS_FILLING = {"Underfill": 30, "Cap defect": 25, "Label crooked": 20, "Seal leak": 10,
                    "Contamination": 5}
_DEFECTS_PACKING = {"Damaged carton": 45, "Label crooked": 30, "Seal leak": 25}
#: the shares of defect lots found past the line: by the customer, and (including those) anywhere past it
_CUSTOMER_ESCAPE, _INTERNAL_ESCAPE = 0.004, 0.02
_SCRAP_SHARE = {"Underfill": 0.9, "Cap defect": 0.4, "Label crooked": 0.15, "Seal leak": 0.8,
                "Contamination": 1.0, "Damaged carton": 0.3}
_NEAR_MISSES = (
    "Forklift reversed without a banksman near the line",
    "Pallet wrap left on the walkway",
    "Guard door of the capper found open while running",
    "Wet floor at the CIP station, no sign",
    "Operator reached into the conveyor to clear a bottle",
    "Stacked cartons leaning into the aisle",
    "Hose across the walkway during cleaning",
    "Missing safety glasses at the chemical dosing point",
    "Pallet jack left in the emergency exit route",
    "Broken glass not cleaned up after a jam",
)
_FIRST_AID = (
    "Cut finger on a broken bottle",
    "Small burn from a hot hose during CIP",
    "Bruised hand while changing format parts",
    "Splinter from a wooden pallet",
    "Eye irritation from cleaning agent, rinsed",
)

