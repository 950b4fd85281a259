"""Use cases over a session factory: KPI readings (the one readings service), the board, the tree and its
drill-down, the review, OKRs, actions, accounts, events, manual values and the portfolio, and the container that
wires them. No Dash."""
