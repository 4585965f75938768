"""Hooks through which the rooms above providers add to its pages. The provider page shows the
last roll import and an upload link, which belong to movements (above providers): movements
registers a part in its AppConfig.ready, and the page renders whatever parts are registered."""

from collections.abc import Callable
from typing import Any

# A part takes (user, provider) and returns names for the provider page's template.
ProviderPagePart = Callable[[Any, Any], dict[str, Any]]

_provider_page_parts: list[ProviderPagePart] = []


def add_provider_page_part(part: ProviderPagePart) -> None:
    if part not in _provider_page_parts:
        _provider_page_parts.append(part)


def provider_page_context(user: Any, provider: Any) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for part in _provider_page_parts:
        context.update(part(user, provider))
    return context
