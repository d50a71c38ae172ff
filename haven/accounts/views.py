from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_otp import login as otp_login

from haven.accounts import actions, forms, policy, signin_limits, two_factor
from haven.accounts.gates import requires
from haven.accounts.models import Agency, Role, RoleGrant, User
from haven.accounts.permissions import PERMISSIONS
from haven.audit.actions import record_event
from haven.core.errors import HavenError
from haven.core.web import paginate, report_errors, submitted, succeeded


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if signin_limits.blocked(request, request.POST.get("username", "")):
            return render(request, "accounts/locked_out.html", status=429)
        return super().post(request, *args, **kwargs)


def _next(request, default="dashboard"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@require_safe
@login_required
def profile(request):
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "grants": user.grants.select_related("role"),
            "permissions": {
                p: str(PERMISSIONS[p]) for p in PERMISSIONS if policy.has_perm(user, p)
            },
            "device": two_factor.confirmed_device(user),
        },
    )


@login_required
def two_factor_setup(request):
    """Set up an authenticator app: scan the code, type a code to confirm."""
    user = request.user
    if two_factor.confirmed_device(user):
        return render(
            request, "accounts/two_factor_on.html", {"required": policy.two_factor_required(user)}
        )
    device = two_factor.pending_device(user)
    form = forms.OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record_event(user, "auth.two_factor_enabled", obj=user, agency_id=user.agency_id)
            messages.success(request, _("Two-factor authentication is on."))
            return _next(request, "profile")
        form.add_error(
            "token", _("That code is not right. Check the time on your phone and try again.")
        )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": two_factor.qr_data_uri(device),
            "secret": two_factor.secret_for_manual_entry(device),
            "required": policy.two_factor_required(user),
        },
    )


@login_required
def verify_otp(request):
    """The second step of signing in, for users with a device."""
    user = request.user
    device = two_factor.confirmed_device(user)
    if device is None:
        return redirect("two_factor")
    form = forms.OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            otp_login(request, device)
            record_event(user, "auth.two_factor_verified", obj=user, agency_id=user.agency_id)
            return _next(request)
        record_event(user, "auth.two_factor_failed", obj=user, agency_id=user.agency_id)
        form.add_error(
            "token",
            _("That code is not right. Wait a few seconds, then type the code the app shows now."),
        )
    return render(request, "accounts/verify_otp.html", {"form": form})


@login_required
def reauthenticate(request):
    """Confirm the password (and the code) before a sensitive step."""
    user = request.user
    device = two_factor.confirmed_device(user)
    form = forms.ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok = user.check_password(form.cleaned_data["password"])
        if ok and device is not None:
            ok = device.verify_token(form.cleaned_data["token"].strip())
        if ok:
            two_factor.mark_authenticated(request)
            record_event(user, "auth.reauthenticated", obj=user, agency_id=user.agency_id)
            return _next(request)
        record_event(user, "auth.reauthentication_failed", obj=user, agency_id=user.agency_id)
        form.add_error(None, _("The password or the code is not right."))
    return render(request, "accounts/reauthenticate.html", {"form": form, "device": device})


# ---- management screens -------------------------------------------------------------------


def _agency_or_404(user, pk) -> Agency:
    agency = get_object_or_404(Agency, pk=pk)
    if not policy.may_manage_agency(user, agency.pk):
        raise Http404("No such agency")
    return agency


def _user_or_404(actor, pk) -> User:
    user = get_object_or_404(User, pk=pk)
    if not policy.may_manage_user(actor, user):
        raise Http404("No such user")
    return user


def _form_page(request, form, title, intro=""):
    return render(request, "manage/form.html", {"form": form, "title": title, "intro": intro})


@require_safe
@requires("agency.manage")
def manage_home(request):
    user = request.user
    if not policy.has_perm(user, "system.manage"):
        return redirect("agency_detail", pk=user.agency_id)
    agencies = Agency.objects.order_by("name")
    return render(request, "manage/home.html", {"agencies": agencies})


@requires("system.manage")
def agency_new(request):
    form = forms.AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agency = actions.create_agency(request.user, **form.cleaned_data)
        except (HavenError, ValidationError) as exc:
            report_errors(request, form, exc)
        else:
            messages.success(request, _("Agency created."))
            return redirect("agency_detail", pk=agency.pk)
    return _form_page(request, form, _("New agency"))


@require_safe
@requires("agency.manage")
def agency_detail(request, pk):
    agency = _agency_or_404(request.user, pk)
    query = request.GET.get("q", "").strip()
    users = agency.users.order_by("username").prefetch_related("grants__role", "offices")
    if query:
        users = users.filter(username__icontains=query) | users.filter(last_name__icontains=query)
    return render(
        request,
        "manage/agency.html",
        {
            "agency": agency,
            "offices": agency.offices.order_by("name"),
            "teams": agency.teams.order_by("name").prefetch_related("members"),
            "page": paginate(request, users, 50),
            "query": query,
            "querystring": f"q={query}" if query else "",
        },
    )


@requires("agency.manage")
def office_new(request, pk):
    agency = _agency_or_404(request.user, pk)
    form = forms.OfficeForm(request.POST or None)
    if submitted(
        request,
        form,
        lambda: actions.create_office(request.user, agency, **form.cleaned_data),
        _("Office created."),
    ):
        return redirect("agency_detail", pk=agency.pk)
    return _form_page(request, form, _("New office in %(a)s") % {"a": agency.name})


@requires("agency.manage")
def team_edit(request, pk, team_pk=None):
    agency = _agency_or_404(request.user, pk)
    team = get_object_or_404(agency.teams, pk=team_pk) if team_pk else None
    initial = (
        {"name": team.name, "office": team.office, "members": team.members.all()} if team else None
    )
    form = forms.TeamForm(request.POST or None, agency=agency, initial=initial)
    if submitted(
        request,
        form,
        lambda: actions.save_team(
            request.user,
            agency,
            name=form.cleaned_data["name"],
            office=form.cleaned_data["office"],
            members=list(form.cleaned_data["members"]),
            team=team,
        ),
        _("Team saved."),
    ):
        return redirect("agency_detail", pk=agency.pk)
    return _form_page(request, form, team.name if team else _("New team"))


@requires("agency.manage")
def user_new(request, pk):
    agency = _agency_or_404(request.user, pk)
    form = forms.UserForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["offices"] = list(data["offices"])
        try:
            user = actions.create_user(request.user, agency, **data)
        except (HavenError, ValidationError) as exc:
            report_errors(request, form, exc)
        else:
            messages.success(request, _("User created: give them a role."))
            return redirect("user_detail", pk=user.pk)
    return _form_page(request, form, _("New user in %(a)s") % {"a": agency.name})


@require_safe
@requires("agency.manage")
def user_detail(request, pk):
    managed = _user_or_404(request.user, pk)
    return render(
        request,
        "manage/user.html",
        {
            "managed": managed,
            "grants": managed.grants.select_related("role"),
            "grant_form": forms.GrantForm(),
            "offices_form": forms.OfficesForm(
                agency=managed.agency, initial={"offices": managed.offices.all()}
            ),
            "device": two_factor.confirmed_device(managed),
            "password_form": forms.NewPasswordForm(),
        },
    )


def _scoped_user_first(view):
    """A user out of the administrator's scope does not exist for them, before any
    request to confirm the password."""

    @wraps(view)
    def wrapped(request, pk, *args, **kwargs):
        _user_or_404(request.user, pk)
        return view(request, pk, *args, **kwargs)

    return wrapped


def _user_action(request, pk, run, done_message):
    managed = _user_or_404(request.user, pk)
    succeeded(request, None, lambda: run(managed), done_message)
    return redirect("user_detail", pk=managed.pk)


@require_POST
@requires("agency.manage")
@_scoped_user_first
@two_factor.recent_login_required
def user_grant(request, pk):
    form = forms.GrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role and a scope."))
        return redirect("user_detail", pk=pk)
    data = form.cleaned_data
    return _user_action(
        request,
        pk,
        lambda u: actions.grant_role(request.user, u, data["role"], data["scope"]),
        _("Role granted."),
    )


@require_POST
@requires("agency.manage")
@_scoped_user_first
@two_factor.recent_login_required
def user_revoke(request, pk, grant_pk):
    def run(managed):
        actions.revoke_role(request.user, get_object_or_404(RoleGrant, pk=grant_pk, user=managed))

    return _user_action(request, pk, run, _("Role removed."))


@require_POST
@requires("agency.manage")
def user_active(request, pk):
    active = request.POST.get("active") == "1"
    return _user_action(
        request,
        pk,
        lambda u: actions.set_active(request.user, u, active),
        _("Account reactivated.") if active else _("Account deactivated."),
    )


@require_POST
@requires("agency.manage")
@_scoped_user_first
@two_factor.recent_login_required
def user_reset_two_factor(request, pk):
    return _user_action(
        request,
        pk,
        lambda u: actions.reset_two_factor(request.user, u),
        _("Second factor removed: the user sets up a new one at the next sign-in."),
    )


@require_POST
@requires("agency.manage")
@_scoped_user_first
@two_factor.recent_login_required
def user_password(request, pk):
    form = forms.NewPasswordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type the new password."))
        return redirect("user_detail", pk=pk)
    password = form.cleaned_data["password"]
    return _user_action(
        request,
        pk,
        lambda u: actions.set_password(request.user, u, password),
        _("New password set: give it to the user in person; their API tokens were revoked."),
    )


@require_POST
@requires("agency.manage")
def user_unlock(request, pk):
    return _user_action(
        request, pk, lambda u: actions.unlock(request.user, u), _("Account unlocked.")
    )


@require_POST
@requires("agency.manage")
def user_offices(request, pk):
    managed = _user_or_404(request.user, pk)
    form = forms.OfficesForm(request.POST, agency=managed.agency)
    if not form.is_valid():
        messages.error(request, _("Choose offices of the user's agency."))
        return redirect("user_detail", pk=pk)
    offices = list(form.cleaned_data["offices"])
    return _user_action(
        request, pk, lambda u: actions.set_offices(request.user, u, offices), _("Offices saved.")
    )


@require_safe
@requires("system.manage")
def role_list(request):
    return render(
        request,
        "manage/roles.html",
        {"roles": Role.objects.order_by("name"), "labels": PERMISSIONS},
    )


@requires("system.manage")
@two_factor.recent_login_required
def role_edit(request, pk=None):
    role = get_object_or_404(Role, pk=pk) if pk else None
    if role is not None and role.builtin:
        raise PermissionDenied
    initial = (
        {
            "code": role.code,
            "name": role.name,
            "permissions": role.permissions,
            "two_factor": role.requires_two_factor,
        }
        if role
        else None
    )
    form = forms.RoleForm(request.POST or None, initial=initial)
    if submitted(
        request,
        form,
        lambda: actions.save_role(request.user, role=role, **form.cleaned_data),
        _("Role saved."),
    ):
        return redirect("role_list")
    return _form_page(request, form, role.name if role else _("New role"))
