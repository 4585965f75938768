"""Sign-in, two-factor sign-in and sign-out. Rules live in services.py."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from cme.accounts import services
from cme.accounts.forms import CodeForm, SignInForm
from cme.core.decorators import two_factor_exempt


def _next_url(request) -> str:
    """Where to go after signing in: the page asked for, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _after_sign_in(request, next_url: str):
    if services.needs_two_factor(request.user):
        target = "accounts:two-factor" if services.has_confirmed_device(request.user) else "accounts:two-factor-setup"
        response = redirect(target)
        if next_url:
            response["Location"] += "?" + _query_next(next_url)
        return response
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


def _query_next(next_url: str) -> str:
    return urlencode({"next": next_url})


@login_not_required
@two_factor_exempt
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request):
    next_url = _next_url(request)
    if request.user.is_authenticated and request.method == "GET":
        return _after_sign_in(request, next_url)
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_sign_in(
            request=request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if user is not None:
            return _after_sign_in(request, next_url)
        form.add_error(None, "Enter a correct username and password")
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url})


@two_factor_exempt
@require_POST
def sign_out(request):
    services.user_sign_out(request=request)
    messages.success(request, "You have signed out.")
    return redirect("accounts:sign-in")


@two_factor_exempt
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Enter the code from the authenticator app set up earlier."""
    user = request.user
    next_url = _next_url(request)
    if not user.is_la_staff or services.is_verified(user):
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    if not services.has_confirmed_device(user):
        return redirect("accounts:two-factor-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = services.two_factor_verify(request=request, code=form.cleaned_data["code"])
        if error is None:
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        form.add_error("code", error)
    return render(request, "accounts/two_factor.html", {"form": form, "next": next_url})


@two_factor_exempt
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Set up an authenticator app: scan the QR code (or type the secret), then enter a code."""
    user = request.user
    next_url = _next_url(request)
    if not user.is_la_staff:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    if services.has_confirmed_device(user):
        # Someone who knows only the password must not be able to add a device of their own.
        return redirect("accounts:two-factor")
    device = services.two_factor_device_for_setup(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = services.two_factor_confirm(request=request, device=device, code=form.cleaned_data["code"])
        if error is None:
            messages.success(request, "Two-factor sign-in is set up. You will need a code from your app each time you sign in.")
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        form.add_error("code", error)
    return render(request, "accounts/two_factor_setup.html", {
        "form": form,
        "next": next_url,
        "qr_svg": services.device_qr_svg(device),
        "secret": services.device_secret(device),
    })


@login_not_required
def locked_out(request, original_response=None, credentials=None, *args, **kwargs):
    """django-axes calls this (AXES_LOCKOUT_CALLABLE) once a username has too many failures."""
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
