"""A person's account: register, sign in and out, a new password, the time zone of pages."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from portal.web import auth, clients, problems, timefmt
from portal.web.clients import ApiProblem
from portal.web.context import display_zone
from portal.web.forms.account import (
    DoctorRegisterForm,
    PasswordRenewForm,
    RegisterForm,
    SignInForm,
    TimeZoneForm,
)
from portal.web.views.base import form_status, safe_next

logger = logging.getLogger(__name__)

# The email of a sign-in refused for a temporary password, for the "Choose a new password" form.
RENEW_EMAIL_KEY = "password_renew_email"
PASSWORD_CHANGE_REQUIRED = "password-change-required"  # noqa: S105 - a problem code


def _start_session(request: HttpRequest, *, email: str, password: str, zone: str) -> auth.Person:
    """Sign in with the API and keep the tokens and profile in the session."""
    tokens = clients.auth_token(request, email=email, password=password)
    me = clients.user_profile_me(access=tokens.access)
    if timefmt.is_zone(zone) and not request.session.get(auth.TIME_ZONE_KEY):
        request.session[auth.TIME_ZONE_KEY] = zone
    return auth.sign_in(
        request,
        access=tokens.access,
        refresh=tokens.refresh,
        email=email,
        full_name=me.full_name,
        time_zone=me.timezone,
        awaiting_approval=me.awaiting_approval,
    )


def _landing(person: auth.Person) -> str:
    """Where a person goes after signing in: a doctor's day, or the landing page."""
    return reverse("doctor-day") if person.is_doctor else reverse("home")


def _with_next(url: str, next_url: str) -> str:
    """``url`` that goes on to ``next_url`` afterwards (when there is one)."""
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in; go back to ``next`` (the page, and the form, that the person left)."""
    next_url = safe_next(request, request.GET.get("next") or request.POST.get("next"), "")
    reason = request.GET.get("reason", "")
    if request.method == "GET":
        if auth.current_person(request):
            return redirect(next_url or _landing(auth.current_person(request)))
        return render(
            request,
            "portal/sign_in.html",
            {"form": SignInForm(), "next": next_url, "reason": reason},
        )
    form = SignInForm(request.POST)
    problem = None
    if form.is_valid():
        try:
            person = _start_session(
                request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                zone=form.cleaned_data["time_zone"],
            )
            return redirect(next_url or _landing(person))
        except ApiProblem as exc:
            if exc.code == PASSWORD_CHANGE_REQUIRED:
                request.session[RENEW_EMAIL_KEY] = form.cleaned_data["email"]
                return redirect(_with_next(reverse("password-renew"), next_url))
            problem = exc
            form.add_error(None, problems.message(exc, overrides=problems.SIGN_IN_MESSAGES))
    form.data = form.data.copy()
    form.data["password"] = ""
    if form.errors and "password" not in form.errors:
        form.add_error("password", "Enter your password again")
    return render(
        request,
        "portal/sign_in.html",
        {"form": form, "next": next_url, "reason": reason},
        status=429 if problem is not None and problem.status == 429 else 400,
    )


@require_http_methods(["GET", "POST"])
def password_renew(request: HttpRequest) -> HttpResponse:
    """Choose a new password after the clinic reset it (the temporary one signs in to nothing)."""
    next_url = safe_next(request, request.GET.get("next") or request.POST.get("next"), "")
    if request.method == "GET":
        form = PasswordRenewForm(initial={"email": request.session.get(RENEW_EMAIL_KEY, "")})
        return render(request, "portal/password_renew.html", {"form": form, "next": next_url})
    form = PasswordRenewForm(request.POST)
    problem = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            clients.auth_password_renew(
                request,
                email=data["email"],
                temporary_password=data["temporary_password"],
                new_password=data["new_password"],
            )
        except ApiProblem as exc:
            problem = exc
            if exc.errors:
                problems.add_to_form(form, exc)
            else:
                form.add_error(None, problems.message(exc, overrides=problems.RENEW_MESSAGES))
        else:
            request.session.pop(RENEW_EMAIL_KEY, None)
            try:
                person = _start_session(
                    request,
                    email=data["email"],
                    password=data["new_password"],
                    zone=data["time_zone"],
                )
            except ApiProblem:
                messages.success(request, "Your new password is set. Sign in with it.")
                return redirect(_with_next(reverse("sign-in"), next_url))
            messages.success(request, "Your new password is set. You are signed in.")
            return redirect(next_url or _landing(person))
    return render(
        request,
        "portal/password_renew.html",
        {"form": form, "next": next_url},
        status=form_status(form, problem),
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the session, then revoke its refresh token (even when that fails, it has ended)."""
    refresh = auth.sign_out(request)
    if refresh:
        try:
            clients.auth_logout(refresh_token=refresh)
        except clients.ServiceUnavailable:
            logger.warning("Sign-out could not revoke the refresh token")
    messages.success(request, "You have signed out.")
    return redirect("home")


def _register(
    request: HttpRequest, form_class: type[RegisterForm], template: str, **form_kwargs: Any
) -> HttpResponse:
    """Register a patient or a doctor (by ``form_class``) and sign them in."""
    if request.method == "GET":
        return render(request, template, {"form": form_class(**form_kwargs)})
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        data = form.cleaned_data
        role = "doctor" if isinstance(form, DoctorRegisterForm) else "patient"
        body = {
            "email": data["email"],
            "password": data["password"],
            "role": role,
            "full_name": data["full_name"],
        }
        if role == "doctor":
            body |= {"specialty": data["specialty"], "timezone": data["timezone"]}
            if data.get("bio"):
                body["bio"] = data["bio"]
        try:
            clients.auth_register(request, data=body)
            person = _start_session(
                request, email=data["email"], password=data["password"], zone=data["time_zone"]
            )
        except ApiProblem as problem:
            problems.add_to_form(form, problem)
        else:
            if person.is_doctor:
                messages.info(
                    request,
                    "Your account is ready. Clinic staff will check your details before patients "
                    "can find you. Add your weekly hours now so you can be booked once approved.",
                )
                return redirect("doctor-availability")
            messages.success(request, "Your account is ready. You are signed in.")
            return redirect("doctor-list")
    form.data = form.data.copy()
    form.data["password"] = ""
    if form.errors and "password" not in form.errors:
        form.add_error("password", "Enter your password again")
    return render(request, template, {"form": form}, status=400)


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Register as a patient."""
    return _register(request, RegisterForm, "portal/register.html")


@require_http_methods(["GET", "POST"])
def register_doctor(request: HttpRequest) -> HttpResponse:
    """Register as a doctor, with a specialty and the time zone of the clinic hours."""
    return _register(
        request,
        DoctorRegisterForm,
        "portal/register_doctor.html",
        specialties=clients.user_specialty_list(),
    )


@require_http_methods(["GET", "POST"])
def time_zone(request: HttpRequest) -> HttpResponse:
    """Choose the zone times are shown in (kept with the session)."""
    next_url = safe_next(request, request.GET.get("next") or request.POST.get("next"), "/")
    current, _ = display_zone(request)
    detected = request.POST.get("detected") or request.GET.get("detected")
    if request.method == "POST":
        form = TimeZoneForm(request.POST, detected=request.POST.get("time_zone"))
        if form.is_valid():
            request.session[auth.TIME_ZONE_KEY] = form.cleaned_data["time_zone"]
            messages.success(
                request,
                f"Times are now shown in {timefmt.zone_label(form.cleaned_data['time_zone'], dj_timezone.now())}.",
            )
            return redirect(next_url)
        status = 400
    else:
        form = TimeZoneForm(initial={"time_zone": current}, detected=current)
        status = 200
    return render(
        request,
        "portal/time_zone.html",
        {"form": form, "next": next_url, "detected": detected},
        status=status,
    )
