"""Password-protected archives for files that name people: AES-256 encrypted ZIP, which
common tools (7-Zip, the archive managers of Windows and macOS) open with the password."""

import io

import pyzipper
from django import forms
from django.utils.translation import gettext_lazy as _

MIN_PASSWORD = 12


def sealed_zip(members: dict[str, bytes], password: str) -> bytes:
    out = io.BytesIO()
    with pyzipper.AESZipFile(
        out, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(password.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def password_field(help_text) -> forms.CharField:
    """The form field for an archive's password (never shown again, never kept)."""
    return forms.CharField(
        label=_("Password of the archive"),
        min_length=MIN_PASSWORD,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=help_text,
    )
