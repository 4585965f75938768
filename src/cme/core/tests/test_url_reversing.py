"""URLs worked out once (cme.core.reversing, url_maker) are the ones reverse() gives."""

from django.test import override_settings
from django.urls import reverse, set_script_prefix

from cme.core.jinja2 import url, url_maker
from cme.core.reversing import cached_reverse


def test_remembered_urls_are_reverses():
    assert cached_reverse("cases:list") == reverse("cases:list")
    assert url("cases:detail", 42) == reverse("cases:detail", args=[42]) == "/cases/42"
    assert url("cases:detail", case_id=7) == reverse("cases:detail", kwargs={"case_id": 7})
    assert url("cases:detail", 43) == "/cases/43"  # not the 42 remembered above


def test_remembered_urls_follow_the_script_prefix():
    assert url("cases:list") == "/cases"
    set_script_prefix("/cme/")
    try:
        assert url("cases:list") == "/cme/cases"
    finally:
        set_script_prefix("/")
    assert url("cases:list") == "/cases"


@override_settings(ROOT_URLCONF="cme.core.tests.urls_other")
def test_remembered_urls_follow_the_url_patterns():
    assert cached_reverse("only-here") == "/somewhere-else"


def test_url_maker_gives_the_reverse_for_each_id():
    case_href = url_maker("cases:detail")
    for pk in (1, 42, 10**12):
        assert case_href(pk) == reverse("cases:detail", args=[pk])
