"""Python versions of the GOV.UK Frontend macros that a busy page calls most.

They take the same parameters and render the same markup as govuk-frontend-jinja's macros (the
templates under core/jinja2/govuk_frontend_jinja/ shadow the originals and call these), so pages
keep using the components as STYLE.md asks. A test renders both and compares them.
"""

from collections.abc import Mapping
from typing import Any

from jinja2 import Undefined
from markupsafe import Markup, escape

_MISSING = object()


def _get(params: Any, name: str) -> Any:
    # A dict first: the Mapping check goes through the ABC machinery, and this runs per cell.
    if type(params) is dict or isinstance(params, Mapping):
        value = params.get(name)
        return None if isinstance(value, Undefined) else value
    return None


def govuk_attributes(attributes) -> Markup:
    """govukAttributes: a string passes through; in a mapping each value renders ` name="value"`;
    with {"value": v, "optional": True} an empty value is left out and True renders ` name`."""
    if isinstance(attributes, str):
        # As the macro does: a string of attributes is the template author's own markup.
        return Markup(attributes)  # noqa: S704
    if not isinstance(attributes, Mapping):
        return Markup("")
    parts: list[str] = []
    for name, value in attributes.items():
        if isinstance(value, Mapping):
            optional = value.get("optional") is True
            value = value.get("value", _MISSING)
        else:
            optional = False
            if isinstance(value, bool):
                value = str(value).lower()
        if optional and value is True:
            parts.append(f" {escape(name)}")
        elif not optional or (
            value is not _MISSING
            and value is not None
            and value is not False
            and not isinstance(value, Undefined)
        ):
            shown = "" if value is _MISSING or isinstance(value, Undefined) else escape(value)
            parts.append(f' {escape(name)}="{shown}"')
    return Markup("".join(parts))  # noqa: S704 - every part was escaped above


def _content(item) -> str:
    html = _get(item, "html")
    return str(html) if html else str(escape(_get(item, "text") or ""))


def _classes(base: str, *extra: str | None) -> str:
    return " ".join([base, *[e for e in extra if e]])


def govuk_table(params) -> Markup:
    out = [
        f'<table class="{_classes("govuk-table", _get(params, "classes"))}"'
        f"{govuk_attributes(_get(params, 'attributes'))}>"
    ]
    if caption := _get(params, "caption"):
        out.append(
            f'<caption class="{_classes("govuk-table__caption", _get(params, "captionClasses"))}">'
            f"{escape(caption)}</caption>"
        )
    if head := _get(params, "head"):
        out.append('<thead class="govuk-table__head"><tr class="govuk-table__row">')
        for item in head:
            fmt = _get(item, "format")
            out.append(
                '<th scope="col" class="'
                + _classes("govuk-table__header", fmt and f"govuk-table__header--{fmt}", _get(item, "classes"))
                + '"'
                + _spans(item)
                + f"{govuk_attributes(_get(item, 'attributes'))}>{_content(item)}</th>"
            )
        out.append("</tr></thead>")
    out.append('<tbody class="govuk-table__body">')
    first_is_header = _get(params, "firstCellIsHeader")
    for row in _get(params, "rows") or []:
        if not row:
            continue
        out.append('<tr class="govuk-table__row">')
        for index, cell in enumerate(row):
            common = _spans(cell) + str(govuk_attributes(_get(cell, "attributes")))
            if index == 0 and first_is_header:
                out.append(
                    f'<th scope="row" class="{_classes("govuk-table__header", _get(cell, "classes"))}"'
                    f"{common}>{_content(cell)}</th>"
                )
            else:
                fmt = _get(cell, "format")
                out.append(
                    '<td class="'
                    + _classes("govuk-table__cell", fmt and f"govuk-table__cell--{fmt}", _get(cell, "classes"))
                    + f'"{common}>{_content(cell)}</td>'
                )
        out.append("</tr>")
    out.append("</tbody></table>")
    return Markup("".join(out))  # noqa: S704 - text escaped, html is the caller's safe markup


def _spans(item) -> str:
    text = ""
    if colspan := _get(item, "colspan"):
        text += f' colspan="{escape(colspan)}"'
    if rowspan := _get(item, "rowspan"):
        text += f' rowspan="{escape(rowspan)}"'
    return text


def _html_or_text(item) -> str:
    html = _get(item, "html")
    return str(html).strip() if html else str(escape(_get(item, "text") or ""))


def govuk_tag(params) -> Markup:
    return Markup(  # noqa: S704 - text escaped, html is the caller's safe markup
        f'<strong class="{_classes("govuk-tag", _get(params, "classes"))}"'
        f"{govuk_attributes(_get(params, 'attributes'))}>{_html_or_text(params)}</strong>"
    )


def govuk_task_list(params) -> Markup:
    prefix = _get(params, "idPrefix") or "task-list"
    out = [f'<ul class="{_classes("govuk-task-list", _get(params, "classes"))}"'
           f"{govuk_attributes(_get(params, 'attributes'))}>"]
    for index, item in enumerate(_get(params, "items") or [], start=1):
        if not item:
            continue
        hint_id, status_id = f"{prefix}-{index}-hint", f"{prefix}-{index}-status"
        href, title, hint, status = (_get(item, k) for k in ("href", "title", "hint", "status"))
        classes = _classes("govuk-task-list__item", href and "govuk-task-list__item--with-link",
                           _get(item, "classes"))
        out.append(f'<li class="{classes}"><div class="govuk-task-list__name-and-hint">')
        title_classes = _get(title, "classes")
        if href:
            described = (f"{hint_id} " if hint else "") + status_id
            out.append(f'<a class="{_classes("govuk-link govuk-task-list__link", title_classes)}" '
                       f'href="{escape(href)}" aria-describedby="{described}">{_html_or_text(title)}</a>')
        else:
            cls = f' class="{escape(title_classes)}"' if title_classes else ""
            out.append(f"<div{cls}>{_html_or_text(title)}</div>")
        if hint:
            out.append(f'<div id="{hint_id}" class="govuk-task-list__hint">{_html_or_text(hint)}</div>')
        out.append("</div>")
        status_classes = _classes("govuk-task-list__status", _get(status, "classes"))
        tag = _get(status, "tag")
        shown = govuk_tag(tag) if tag else _html_or_text(status)
        out.append(f'<div class="{status_classes}" id="{status_id}">{shown}</div></li>')
    out.append("</ul>")
    return Markup("".join(out))  # noqa: S704 - text escaped, html is the caller's safe markup
