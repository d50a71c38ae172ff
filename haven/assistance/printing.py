"""The printable referral form (PDF) for providers outside Haven: the referral, the fields
shared and a part for the provider to fill in and send back.

The form is an HTML template turned into PDF by WeasyPrint, which shapes Arabic and other
scripts and lays out right-to-left text with the system's fonts. It fetches nothing: the
page has no external resources, and any URL it might name is refused.
"""

import json

import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone, translation

from haven.assistance.sharing import SHAREABLE


class _NoFetch(weasyprint.URLFetcher):
    def fetch(self, url, headers=None):
        raise ValueError(f"The referral form fetches nothing ({url}).")


def referral_form(referral, printed_by) -> bytes:
    html = referral_form_html(referral, printed_by)
    return weasyprint.HTML(string=html, url_fetcher=_NoFetch()).write_pdf()


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
