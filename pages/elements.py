"""Dash's HTML elements, made without the cost of Dash's constructor, for pages that draw thousands per refresh.

Dash's component constructor formats a long error message for every keyword it is given before it checks the keyword
(it uses the message only when the keyword is wrong), and the generated constructors gather their arguments through
``locals()``. A plant board of 3,000 elements spent about two thirds of its drawing there. ``html.Div(...)`` from
this module makes the same object as ``dash.html.Div(...)``: the same class, the same attributes (the props given,
and the four lists of property names Dash keeps on each component), so Dash, the render cache and the plain-HTML
picture read it alike. A keyword the element does not have, a component given to a prop other than ``children`` and
an id that is neither text nor a mapping are refused with a ``TypeError``, as Dash refuses them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import html as dash_html
from dash.development.base_component import Component

_OMITTED: Any = object()
#: values that are never a component (checked by their exact type, as asking Dash's class costs more)
_PLAIN = frozenset({str, int, float, bool, dict, type(None)})


class Element:
    """Makes components of one Dash HTML class, ``children`` first as Dash's own constructor takes it."""

    def __init__(self, cls: type[Component]) -> None:
        self.cls = cls
        self.__name__ = cls.__name__
        self._template = dict(vars(cls()))  # the property-name lists Dash sets on every instance, no prop
        self._names = frozenset(self._template["_prop_names"])
        self._wildcards = tuple(self._template["_valid_wildcard_attributes"])

    def __call__(self, children: Any = _OMITTED, **props: Any) -> Component:
        """A component of this class with these props."""
        if children is not _OMITTED:
            props["children"] = children
        if not self._names.issuperset(props):
            for key in props:
                if key not in self._names and not key.startswith(self._wildcards):
                    raise TypeError(f"html.{self.__name__} has no property `{key}`")
        for key, value in props.items():
            if type(value) not in _PLAIN and key != "children" and isinstance(value, Component):
                raise TypeError(f"html.{self.__name__} was given a component for `{key}`, not for `children`")
        if "id" in props and not isinstance(props["id"], str | dict):
            raise TypeError(f"`id` must be text or a mapping, not {props['id']!r}")
        component = object.__new__(self.cls)
        component.__dict__ = self._template | props
        return component


class _Elements:
    """``html.Div``, ``html.Span`` and the rest, each made once on first use and kept as an attribute, so later uses
    find it without calling ``__getattr__`` (a tenth of a board's drawing went to that call)."""

    def __getattr__(self, name: str) -> Callable[..., Component]:
        cls = getattr(dash_html, name)
        if not (isinstance(cls, type) and issubclass(cls, Component)):
            raise AttributeError(name)
        element = Element(cls)
        setattr(self, name, element)
        return element


html = _Elements()
