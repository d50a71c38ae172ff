"""TOTP two-factor authentication (django-otp) and recent re-authentication."""

import base64
import time
from functools import wraps
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts import policy

AUTH_AT = "haven_auth_at"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device shown during set-up (one per user, re-used until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def qr_data_uri(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def secret_for_manual_entry(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def mark_authenticated(request) -> None:
    request.session[AUTH_AT] = time.time()


def recently_authenticated(request) -> bool:
    at = request.session.get(AUTH_AT, 0)
    return time.time() - at < settings.HAVEN_REAUTH_MINUTES * 60


def recent_login_required(view):
    """Ask for the password again (and the code) before a sensitive step."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not recently_authenticated(request):
            return reauthentication(request)
        return view(request, *args, **kwargs)

    return wrapped


def reauthentication(request, back: str | None = None):
    """The redirect to the password (and code) page, coming back here afterwards (or to
    `back`: a page to return to where this address takes only a POST)."""
    query = urlencode({"next": back or request.get_full_path()})
    return redirect(f"{reverse('reauthenticate')}?{query}")


class TwoFactorMiddleware:
    """Signed-in users with a device must enter a code; roles that require one must set one up."""

    EXEMPT = (
        "/login/",
        "/logout/",
        "/account/verify/",
        "/account/two-factor/",
        "/i18n/",
        "/static/",
        "/healthz",
        "/readyz",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(self.EXEMPT)
        ):
            has_device = confirmed_device(user) is not None
            if has_device or policy.two_factor_required(user):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": "Two-factor verification is required."}, status=403
                    )
                target = "verify_otp" if has_device else "two_factor"
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse(target)}?{query}")
        return self.get_response(request)
