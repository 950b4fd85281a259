"""The KPI stack and the focus checks as a plant's people see them: the layers 1–5 with their KPIs (each read as
the board reads it), and the method's findings over the catalogue with the owners checked against the people who
have an account. No Dash: the stack page, ``huddle check`` and the tree page read these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huddle.dashboard.core.focus_checks import FocusFinding, focus_findings
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from huddle.dashboard.services.accounts import Accounts
    from huddle.dashboard.services.container import Services


def account_names(accounts: Accounts) -> list[str] | None:
    """Every name a KPI owner may be written as (display names and user names), or None when the database has no
    users table yet."""
    try:
        users = accounts.users()
    except SQLAlchemyError:
        return None
    return [name for u in users for name in (u.display_name, u.username) if name]


def plant_focus(services: Services) -> list[FocusFinding]:
    """The plant's focus findings, owners checked against its users."""
    return focus_findings(services.config, account_names(services.accounts))
