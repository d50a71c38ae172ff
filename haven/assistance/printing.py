"""The printable referral form (PDF) for providers outside Haven: the referral, the fields
shared and a part for the provider to fill in and send back.

The form is an HTML template turned into PDF (core/pdf.py: scripts shaped, right to left
laid out, nothing fetched).
"""

import json

from django.template.loader import render_to_string
from django.utils import timezone, translation

from haven.assistance.sharing import SHAREABLE
from haven.core.pdf import pdf_from_html


def referral_form(referral, printed_by) -> bytes:
    return pdf_from_html(referral_form_html(referral, printed_by))


def referral_form_html(referral, printed_by) -> str:
    """The form as HTML, in the active language (right-to-left for Arabic)."""
    labels = {code: label for code, (label, _getter) in SHAREABLE.items()}
    shared = json.loads(referral.shared or "{}")
    return render_to_string(
        "assistance/referral_form.html",
        {
            "referral": referral,
            "shared": [(labels.get(code, code), value) for code, value in shared.items()],
            "printed_by": printed_by,
            "printed_on": timezone.localdate(),
            "rtl": translation.get_language_bidi(),
            "language": translation.get_language(),
        },
    )
