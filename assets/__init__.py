"""Huddle's stylesheets and clientside scripts, installed as a package so Dash finds them outside a checkout."""
