"""Page hygiene checks run on every HTML page a test fetches (after GOV.UK Notify's test client).

    check_page(response)          raises PageProblem listing everything wrong with the page
    PageCheckingClient()          a django.test.Client that checks each HTML page it gets back

What a page must have: exactly one non-empty <title>; <html lang>; unique ids; every <form> with
an action (action="" counts) and a method; a CSRF token in every POST form; the page's CSP nonce
on every <script>; exactly one <h1>; and no "None" or "undefined" leaked from a template.
"""

import re
from html.parser import HTMLParser

from django.test import Client

LEAKS = re.compile(r"\b(None|undefined)\b")
# Attributes whose values are machine text, where "None" would still be a leak, are checked too;
# these are free text from people or hashes, so are left alone.
SKIP_ATTRS = {"nonce", "integrity"}


class PageProblem(AssertionError):
    pass


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.titles: list[str] = []
        self.html_lang: str | None = None
        self.ids: dict[str, int] = {}
        self.forms: list[dict] = []
        self.scripts: list[dict] = []
        self.h1_count = 0
        self.leaks: list[str] = []
        self._in_title = False
        self._svg = 0  # inside inline <svg>: its <title> names a graphic, not the page
        self._raw = 0  # inside <script> or <style>: not page text
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        elif tag == "svg":
            self._svg += 1
        elif tag == "title" and not self._svg:
            self.titles.append("")
            self._in_title = True
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "form":
            self._form = {"attrs": attributes, "csrf": False, "line": self.getpos()[0]}
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and attributes.get("name") == "csrfmiddlewaretoken":
            self._form["csrf"] = bool(attributes.get("value"))
        elif tag == "script":
            self.scripts.append({"attrs": attributes, "line": self.getpos()[0]})
        if tag in {"script", "style"}:
            self._raw += 1
        if "id" in attributes:
            self.ids[attributes["id"]] = self.ids.get(attributes["id"], 0) + 1
        for name, value in attrs:
            if name not in SKIP_ATTRS and value and LEAKS.search(value):
                self.leaks.append(f'<{tag} {name}="{value}"> (line {self.getpos()[0]})')

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in {"script", "style"}:
            self._raw -= 1

    def handle_endtag(self, tag):
        if tag == "svg" and self._svg:
            self._svg -= 1
        elif tag == "title":
            self._in_title = False
        elif tag == "form":
            self._form = None
        elif tag in {"script", "style"} and self._raw:
            self._raw -= 1

    def handle_data(self, data):
        if self._in_title:
            self.titles[-1] += data
        if not self._raw:
            for match in LEAKS.finditer(data):
                start = max(match.start() - 30, 0)
                self.leaks.append(f'"…{data[start:match.end() + 30].strip()}…" (line {self.getpos()[0]})')


def csp_nonce(response) -> str | None:
    """The nonce the Content-Security-Policy header allows scripts with."""
    header = response.headers.get("Content-Security-Policy", "")
    match = re.search(r"'nonce-([^']+)'", header)
    return match.group(1) if match else None


def page_problems(html: str, *, nonce: str | None) -> list[str]:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    problems = []

    if len(parser.titles) != 1:
        problems.append(f"has {len(parser.titles)} <title> elements, not 1")
    elif not parser.titles[0].strip():
        problems.append("has an empty <title>")
    if not parser.html_lang:
        problems.append("has no <html lang>")
    for id_, count in parser.ids.items():
        if count > 1:
            problems.append(f'uses id="{id_}" {count} times')
    for form in parser.forms:
        attrs = form["attrs"]
        where = f"<form> on line {form['line']}"
        if "action" not in attrs:
            problems.append(f'{where} has no action (write action="" to post to the same page)')
        method = (attrs.get("method") or "").lower()
        if method not in {"get", "post"}:
            problems.append(f"{where} has no method")
        if method == "post" and not form["csrf"]:
            problems.append(f"{where} posts without a csrfmiddlewaretoken")
    for script in parser.scripts:
        given = script["attrs"].get("nonce")
        where = f"<script> on line {script['line']}"
        if not given:
            problems.append(f"{where} has no nonce")
        elif nonce is None:
            problems.append(f"{where} has a nonce but the Content-Security-Policy header allows none")
        elif given != nonce:
            problems.append(f"{where} has nonce {given!r}, not the page's {nonce!r}")
    if parser.h1_count != 1:
        problems.append(f"has {parser.h1_count} <h1> elements, not 1")
    problems.extend(f"shows {leak}" for leak in parser.leaks)
    return problems


def is_html_page(response) -> bool:
    return (
        not getattr(response, "streaming", False)
        and response.headers.get("Content-Type", "").startswith("text/html")
        and bool(response.content)
    )


def check_page(response) -> None:
    """Raise PageProblem unless the HTML page in this response is well-formed for our pages."""
    if not is_html_page(response):
        return
    html = response.content.decode(response.charset or "utf-8")
    problems = page_problems(html, nonce=csp_nonce(response))
    if problems:
        url = getattr(response, "request", {}).get("PATH_INFO", "the page")
        raise PageProblem(f"{url} ({response.status_code}):\n  - " + "\n  - ".join(problems))


class PageCheckingClient(Client):
    """A test client that checks every full HTML page it receives, following redirects too."""

    def request(self, **request):
        response = super().request(**request)
        if response.status_code == 200 or (
            400 <= response.status_code < 600 and b"<html" in response.content[:2000]
        ):
            check_page(response)
        return response
