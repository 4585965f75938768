"""Hooks through which the rooms above people add to its pages. People sits below cases, so the
child page cannot ask cases for the child's cases; the cases app registers a part instead
(in its AppConfig.ready), and the child page renders whatever parts are registered."""

from collections.abc import Callable
from typing import Any

# A part takes (user, child) and returns names for the child page's template.
ChildPagePart = Callable[[Any, Any], dict[str, Any]]

_child_page_parts: list[ChildPagePart] = []


def add_child_page_part(part: ChildPagePart) -> None:
    if part not in _child_page_parts:
        _child_page_parts.append(part)


def child_page_context(user: Any, child: Any) -> dict[str, Any]:
    """What the registered parts add to the child page, for this user and child."""
    context: dict[str, Any] = {}
    for part in _child_page_parts:
        context.update(part(user, child))
    return context
