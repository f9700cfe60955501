"""Staff login: the one way in. Lock-out per name and address, and a TOTP second factor."""

from __future__ import annotations

import pyotp
from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from tipline.accounts import services
from tipline.accounts.forms import CodeForm, LoginForm
from tipline.accounts.middleware import MFA_PASSED
from tipline.accounts.models import User
from tipline.accounts.services import LoginStatus
from tipline.common.http import client_ip, safe_next

PENDING = "tipline_pending_user"
NEXT = "tipline_login_next"
# One answer for a wrong password, an unknown name and a paused sign-in, so that none of them
# tells an attacker which accounts exist or which one they have locked.
BAD_LOGIN = (
    "The username or password is not right. After several failed attempts, sign-in from this "
    "device pauses for a while: wait, then try again."
)
TOO_MANY = "Too many failed sign-ins from this network. Wait a while, then try again."
BAD_CODE = (
    "That code is not right. Check your authenticator app's clock. After several failed "
    "attempts, codes are refused for a while."
)


def _pending_user(request: HttpRequest) -> User | None:
    user_id = request.session.get(PENDING)
    return User.objects.filter(pk=user_id, is_active=True).first() if user_id else None


def _finish(request: HttpRequest, user: User, *, code_passed: bool) -> HttpResponse:
    target = request.session.pop(NEXT, None)
    request.session.pop(PENDING, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if code_passed:
        request.session[MFA_PASSED] = True
    services.user_login_succeeded(user=user, ip=client_ip(request))
    return HttpResponseRedirect(safe_next(request, target, reverse(settings.LOGIN_REDIRECT_URL)))


def _password_step(request: HttpRequest, form: LoginForm) -> HttpResponse | tuple[str, int]:
    attempt = services.login_attempt(
        username=form.cleaned_data["username"],
        password=form.cleaned_data["password"],
        ip=client_ip(request),
    )
    if attempt.status == LoginStatus.TOO_MANY_FROM_HERE:
        return TOO_MANY, 429
    if attempt.user is None:
        return BAD_LOGIN, 200
    if not attempt.needs_code:
        return _finish(request, attempt.user, code_passed=False)
    request.session.cycle_key()
    request.session[PENDING] = attempt.user.pk
    step = "accounts:mfa" if attempt.user.mfa_enabled else "accounts:mfa_enrol"
    return HttpResponseRedirect(reverse(step))


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Username and password; then the second factor when required. `next` is kept if safe."""
    form = LoginForm(request.POST or None)
    if request.method == "GET" and request.GET.get("next"):
        request.session[NEXT] = safe_next(request, request.GET["next"], "")
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        outcome = _password_step(request, form)
        if isinstance(outcome, HttpResponse):
            return outcome
        error, status = outcome
    return render(request, "accounts/login.html", {"form": form, "error": error}, status=status)


@require_http_methods(["GET", "POST"])
def mfa_view(request: HttpRequest) -> HttpResponse:
    """The TOTP code for a user whose password was right."""
    user = _pending_user(request)
    if user is None or not user.mfa_enabled:
        return HttpResponseRedirect(reverse("accounts:login"))
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        paused = services.login_code_paused(user=user, ip=ip)
        if not paused and services.totp_matches(user, form.cleaned_data["code"]):
            return _finish(request, user, code_passed=True)
        if not paused:
            services.login_failure_record(username=user.username, ip=ip, step="code", user=user)
        error = BAD_CODE
    return render(request, "accounts/mfa.html", {"form": form, "error": error})


@require_http_methods(["GET", "POST"])
def mfa_enrol_view(request: HttpRequest) -> HttpResponse:
    """First login with MFA required: show a new secret and confirm one code from it."""
    user = _pending_user(request)
    if user is None or user.mfa_enabled:
        return HttpResponseRedirect(reverse("accounts:login"))
    if request.method == "GET" or not user.totp_secret:
        services.user_mfa_begin(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.user_mfa_confirm(user=user, code=form.cleaned_data["code"]):
            return _finish(request, user, code_passed=True)
        form.add_error("code", "That code is not right. Try the newest one.")
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name="tipline")
    return render(
        request, "accounts/mfa_enrol.html", {"form": form, "secret": user.totp_secret, "uri": uri}
    )


@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    """End the session."""
    logout(request)
    return HttpResponseRedirect(reverse("accounts:login"))


def admin_login_redirect(request: HttpRequest) -> HttpResponse:
    """The admin site's own login would skip the lock-out and the second factor: send it here."""
    target = safe_next(request, request.GET.get("next"), reverse("admin:index"))
    return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")
