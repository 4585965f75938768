"""Our Python GOV.UK macros render exactly what govuk-frontend-jinja's Jinja macros render."""

import pytest
from jinja2 import Environment, PackageLoader, PrefixLoader
from markupsafe import Markup

from cme.core.govuk_fast import govuk_attributes, govuk_table, govuk_tag, govuk_task_list

_env = Environment(
    loader=PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_original = _env.from_string(
    '{% from "govuk_frontend_jinja/macros/attributes.html" import govukAttributes %}'
    "{{ govukAttributes(a) }}"
)
_original_table = _env.from_string(
    '{% from "govuk_frontend_jinja/components/table/macro.html" import govukTable %}'
    "{{ govukTable(p) }}"
)

CASES = [
    None,
    "",
    ' data-module="govuk-button"',
    {},
    {"id": "x", "class": "a b"},
    {"aria-hidden": True, "hidden": False},
    {"data-x": '<script>"&'},
    {"n": 3, "z": None},
    {"hidden": {"value": True, "optional": True}},
    {"hidden": {"value": None, "optional": True}},
    {"hidden": {"value": False, "optional": True}},
    {"hidden": {"value": "", "optional": True}},
    {"x": {"value": "y"}},
    {"x": {"optional": False}},
    {"title": Markup("<b>safe</b>")},
]


@pytest.mark.parametrize("attributes", CASES, ids=repr)
def test_python_attributes_match_the_macro(attributes):
    # The macro leaves runs of whitespace between attributes; HTML treats those as one space.
    def words(html: str) -> list[str]:
        return html.split()

    assert words(str(govuk_attributes(attributes))) == words(_original.render(a=attributes))


def test_pages_use_the_fast_version(client_for, officer_a):
    from django.template import engines

    env = engines["jinja2"].env
    source, _, _ = env.loader.get_source(env, "govuk_frontend_jinja/macros/attributes.html")
    assert "govuk_attributes(attributes)" in source
    source, _, _ = env.loader.get_source(env, "govuk_frontend_jinja/components/table/macro.html")
    assert "govuk_table(params)" in source


TABLES = [
    {"rows": []},
    {
        "caption": "Cases <by> stage",
        "captionClasses": "govuk-table__caption--m",
        "classes": "app-table",
        "attributes": {"data-module": "moj-sortable-table"},
        "firstCellIsHeader": True,
        "head": [
            {"text": "Stage"},
            {"text": "Cases", "format": "numeric", "classes": "x", "attributes": {"aria-sort": "none"}},
        ],
        "rows": [
            [{"text": "Locating & finding"}, {"text": 3, "format": "numeric"}],
            None,
            [{"html": Markup('<a href="/x">X</a>')}, {"text": "<b>", "colspan": 2, "rowspan": 1}],
        ],
    },
    {"head": [{"html": Markup("<span>H</span>")}], "rows": [[{"text": ""}, {}]]},
]


@pytest.mark.parametrize("params", TABLES)
def test_python_table_matches_the_macro(params):
    def words(html: str) -> list[str]:
        return html.replace(">", "> ").replace("<", " <").split()

    assert words(str(govuk_table(params))) == words(_original_table.render(p=params))


_original_tag = _env.from_string(
    '{% from "govuk_frontend_jinja/components/tag/macro.html" import govukTag %}{{ govukTag(p) }}'
)
_original_task_list = _env.from_string(
    '{% from "govuk_frontend_jinja/components/task-list/macro.html" import govukTaskList %}'
    "{{ govukTaskList(p) }}"
)


def _words(html: str) -> list[str]:
    return html.replace(">", "> ").replace("<", " <").split()


@pytest.mark.parametrize("params", [
    {"text": "Not yet made"},
    {"text": "<Overdue>", "classes": "govuk-tag--red", "attributes": {"data-x": "1"}},
    {"html": Markup("<span>Met</span>")},
])
def test_python_tag_matches_the_macro(params):
    assert _words(str(govuk_tag(params))) == _words(_original_tag.render(p=params))


@pytest.mark.parametrize("params", [
    {"items": []},
    {
        "idPrefix": "enquiries",
        "classes": "app-x",
        "attributes": {"data-y": "2"},
        "items": [
            {"title": {"text": "Home visit"}, "href": "/cases/1/enquiries/new?kind=home_visit",
             "hint": {"text": "Last: 3 May"}, "status": {"tag": {"text": "Done", "classes": "govuk-tag--green"}}},
            None,
            {"title": {"text": "Phone <call>", "classes": "t"}, "status": {"text": "Not yet made"}},
            {"title": {"html": Markup("<b>Letter</b>")}, "href": "/x", "status": {"html": Markup("<i>n</i>"),
             "classes": "s"}, "classes": "item"},
        ],
    },
])
def test_python_task_list_matches_the_macro(params):
    assert _words(str(govuk_task_list(params))) == _words(_original_task_list.render(p=params))
