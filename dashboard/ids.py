"""Component ids shared by pages (layout) and callbacks (wiring), so the two never drift apart."""

URL = "url"
NAV = "nav"
SITE_TITLE = "site-title"

OVERVIEW_REFRESH = "overview-refresh"
OVERVIEW_GRAIN = "overview-grain"
OVERVIEW_TITLE = "overview-title"
OVERVIEW_TABLE = "overview-table"
OVERVIEW_FRESHNESS = "overview-freshness"

DATA_REFRESH = "data-refresh"
DATA_HEALTH = "data-health"
DATA_SOURCES = "data-sources"
DATA_RUNS = "data-runs"
DATA_QUARANTINE = "data-quarantine"
DATA_BASELINE = "data-baseline"
