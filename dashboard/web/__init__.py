"""The web: the Dash app factory and shell, the JSON API, security, sites, error display, the render cache and the
component ids."""
