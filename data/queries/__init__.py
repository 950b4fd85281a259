"""All of Huddle's SQL outside the loaders, one module per area; each function takes a session (or connection)
and returns plain rows, values or models.

``readings`` (summed measures and loaded KPI values), ``records`` (counts, stops, defects and safety events in a
time range), ``ledger`` (load runs, quarantine, the data version), ``quarantine`` (its open, resolved and
dismissed rows), ``accounts``, ``actions``, ``okrs``,
``manual_values``, ``schemas`` (a site's PostgreSQL schema) and ``leader_lock`` (the scheduler's advisory lock).
The loaders in ``data.ingest`` keep their own writes; ``scope`` is the one filter of rows by line, area or plant.
"""
