"""The Jinja2 environment: GOV.UK Frontend macros, Django's url/static, and our filters."""

from collections.abc import Callable
from datetime import date, datetime

from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from jinja2 import (
    ChoiceLoader,
    Environment,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    Undefined,
)
from markupsafe import Markup

from cme.core.govuk_fast import govuk_attributes, govuk_table, govuk_tag, govuk_task_list
from cme.core.reversing import cached_reverse


def url(name: str, *args, **kwargs) -> str:
    return cached_reverse(name, args, kwargs)


_MARKER = 9_876_543_210_123


def url_maker(name: str) -> Callable[[int], str]:
    """The URL of a view whose one argument is an id (`<int:...>`), made without reversing it
    again for each: for a long list's rows (`{% set case_href = url_maker("cases:detail") %}`
    then `{{ case_href(case.pk) }}`). Reversed once with a marker id, which each id replaces."""
    prefix, _, suffix = reverse(name, args=[_MARKER]).partition(str(_MARKER))

    def make(pk: int) -> str:
        return f"{prefix}{int(pk)}{suffix}"

    return make


def url_or_hash(name: str, *args, **kwargs) -> str:
    """A URL that may not exist yet (another app still being built) is "#", not a crash."""
    try:
        return url(name, *args, **kwargs)
    except NoReverseMatch:
        return "#"


def govuk_date(value, with_time: bool = False) -> str:
    """Dates as GOV.UK writes them: 4 June 2026, 2:30pm."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        text = f"{value.day} {value:%B %Y}"
        if with_time:
            hour = value.hour % 12 or 12
            text += f", {hour}:{value:%M}{'am' if value.hour < 12 else 'pm'}"
        return text
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def age_on(dob: date | None, on: date | None = None) -> int | None:
    if not dob:
        return None
    on = on or timezone.localdate()
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))




def csrf_input(request) -> Markup:
    return Markup('<input type="hidden" name="csrfmiddlewaretoken" value="{}">').format(
        get_token(request)
    )


class CsrfInput:
    """The hidden CSRF field, written either `{{ csrf_input }}` (Django's Jinja2 backend puts that
    in every context) or `{{ csrf_input(request) }}`. The token is made only when printed."""

    def __init__(self, request):
        self.request = request

    def __call__(self, request=None) -> Markup:
        return csrf_input(request or self.request)

    def __html__(self) -> str:
        return csrf_input(self.request)

    def __str__(self) -> str:
        return str(self.__html__())


class CmeTemplate(Template):
    def render(self, *args, **kwargs) -> str:
        context = dict(*args, **kwargs)
        if context.get("request") is not None:
            context["csrf_input"] = CsrfInput(context["request"])
        return super().render(context)


class CmeEnvironment(Environment):
    def make_globals(self, d):
        """A template's globals as a plain dict, not Jinja's ChainMap over the environment's:
        every `{% from ... import %}` compares the importing page's globals with these, one key
        at a time, and through a ChainMap that cost a page with twenty imports a noticeable part
        of its time. The environment's globals are all set before the first template loads."""
        return {**self.globals, **(d or {})}


def environment(**options) -> Environment:
    loader = options.pop("loader", None)
    options.setdefault("undefined", StrictUndefined if options.get("debug") else Undefined)
    options["extensions"] = [*options.get("extensions", []), "jinja2.ext.do"]
    env = CmeEnvironment(
        loader=ChoiceLoader([
            *([loader] if loader else []),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        **{k: v for k, v in options.items() if k not in {"autoescape"}},
    )
    env.template_class = CmeTemplate
    env.globals.update(
        url=url,
        url_or_hash=url_or_hash,
        url_maker=url_maker,
        static=static,
        get_messages=get_messages,
        csrf_input=csrf_input,
        age_on=age_on,
        govuk_attributes=govuk_attributes,
        govuk_table=govuk_table,
        govuk_tag=govuk_tag,
        govuk_task_list=govuk_task_list,
    )
    from cme.core.forms import choice_params, date_params, error_summary_params, field_params

    env.globals.update(
        field_params=field_params,
        choice_params=choice_params,
        date_params=date_params,
        error_summary_params=error_summary_params,
    )
    env.filters.update(govuk_date=govuk_date)
    return env
