"""Huddle: a daily-management dashboard for factories (SQDCM board, KPI tree, OKRs, monthly review)."""

__version__ = "0.1.0"
