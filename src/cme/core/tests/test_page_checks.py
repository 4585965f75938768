"""The page checker (cme.testing.pages) catches what it is meant to catch."""

import pytest
from django.http import HttpResponse

from cme.testing.pages import PageProblem, check_page

NONCE = "abc123"


def page(body: str, *, head: str = "<title>A page – CME Tracker</title>", lang: str = ' lang="en-GB"') -> HttpResponse:
    response = HttpResponse(f"<!DOCTYPE html><html{lang}><head>{head}</head><body>{body}</body></html>")
    response["Content-Security-Policy"] = f"script-src 'self' 'nonce-{NONCE}'"
    return response


GOOD = f'<h1>Title</h1><form method="post" action=""><input type="hidden" name="csrfmiddlewaretoken" value="t"></form><script nonce="{NONCE}">1</script>'


def problems_of(response) -> str:
    with pytest.raises(PageProblem) as caught:
        check_page(response)
    return str(caught.value)


def test_a_good_page_passes():
    check_page(page(GOOD))


def test_script_without_nonce_is_caught():
    assert "has no nonce" in problems_of(page(GOOD + "<script>alert(1)</script>"))


def test_script_with_another_nonce_is_caught():
    assert "not the page's" in problems_of(page(GOOD + '<script nonce="other">1</script>'))


def test_duplicate_ids_are_caught():
    assert 'id="x" 2 times' in problems_of(page(GOOD + '<p id="x"></p><div id="x"></div>'))


def test_missing_title_is_caught():
    assert "0 <title>" in problems_of(page(GOOD, head=""))


def test_empty_title_is_caught():
    assert "empty <title>" in problems_of(page(GOOD, head="<title> </title>"))


def test_missing_lang_is_caught():
    assert "no <html lang>" in problems_of(page(GOOD, lang=""))


def test_form_without_action_or_method_is_caught():
    text = problems_of(page("<h1>T</h1><form></form>"))
    assert "has no action" in text and "has no method" in text


def test_post_form_without_csrf_token_is_caught():
    assert "without a csrfmiddlewaretoken" in problems_of(page('<h1>T</h1><form method="post" action="/x"></form>'))


def test_one_h1_exactly():
    assert "0 <h1>" in problems_of(page("<p>No heading</p>"))
    assert "2 <h1>" in problems_of(page("<h1>A</h1><h1>B</h1>"))


def test_leaked_none_and_undefined_are_caught():
    assert "None" in problems_of(page(GOOD + "<p>Officer: None</p>"))
    assert "undefined" in problems_of(page(GOOD + '<a href="/cases/undefined">x</a>'))


def test_none_inside_a_script_is_not_page_text():
    check_page(page(GOOD.replace(">1</script>", ">let x = undefined;</script>")))


def test_non_html_responses_are_left_alone():
    check_page(HttpResponse('{"a": null}', content_type="application/json"))


def test_a_chart_title_inside_svg_is_not_a_second_page_title():
    chart = '<svg role="img" aria-labelledby="c-t"><title id="c-t">Cases by stage</title></svg>'
    check_page(page(GOOD + chart))
    assert "2 <title>" in problems_of(page(GOOD + "<title>Stray</title>"))
