"""Staff login with lock-out and a TOTP second factor."""

from __future__ import annotations

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tipline.accounts import services
from tipline.accounts.forms import CodeForm, LoginForm
from tipline.accounts.models import User
from tipline.common.http import client_ip

PENDING = "tipline_pending_user"
LOCKED_MESSAGE = "Too many failed attempts. This account is locked for a while; try again later."
BAD_LOGIN = "The username or password is not right."


def _pending_user(request: HttpRequest) -> User | None:
    user_id = request.session.get(PENDING)
    return User.objects.filter(pk=user_id, is_active=True).first() if user_id else None


def _finish(request: HttpRequest, user: User) -> HttpResponse:
    request.session.pop(PENDING, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    services.user_login_succeeded(user=user, ip=client_ip(request))
    return HttpResponseRedirect(reverse(settings.LOGIN_REDIRECT_URL))


def _password_step(request: HttpRequest, form: LoginForm) -> HttpResponse | str:
    username = form.cleaned_data["username"]
    candidate = User.objects.filter(username=username).first()
    if candidate is not None and services.user_is_locked(candidate):
        return LOCKED_MESSAGE
    user = authenticate(request, username=username, password=form.cleaned_data["password"])
    if not isinstance(user, User):
        if candidate is not None:
            services.user_login_failed(user=candidate, ip=client_ip(request))
        return BAD_LOGIN
    if not settings.MFA_REQUIRED:
        return _finish(request, user)
    request.session.cycle_key()
    request.session[PENDING] = user.pk
    step = "accounts:mfa" if user.mfa_enabled else "accounts:mfa_enrol"
    return HttpResponseRedirect(reverse(step))


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Username and password; then the second factor when required."""
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        outcome = _password_step(request, form)
        if isinstance(outcome, HttpResponse):
            return outcome
        error = outcome
    return render(request, "accounts/login.html", {"form": form, "error": error}, status=200)


@require_http_methods(["GET", "POST"])
def mfa_view(request: HttpRequest) -> HttpResponse:
    """The TOTP code for a user whose password was right."""
    user = _pending_user(request)
    if user is None or not user.mfa_enabled:
        return HttpResponseRedirect(reverse("accounts:login"))
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if services.user_is_locked(user):
            error = LOCKED_MESSAGE
        elif services.totp_matches(user, form.cleaned_data["code"]):
            return _finish(request, user)
        else:
            services.user_login_failed(user=user, ip=client_ip(request))
            error = "That code is not right. Check your authenticator app's clock."
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
            return _finish(request, user)
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
