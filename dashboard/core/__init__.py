"""The pure domain: the shift calendar, periods, KPI formulas, tree maths, OKR scoring, SPC, formatting for people
and the plant file's model. No I/O, no database, no Dash."""
