"""HTML to PDF with WeasyPrint, which shapes Arabic and other scripts and lays out
right-to-left text with the system's fonts. It fetches nothing: Haven's printable pages
have no external resources, and any URL one might name is refused."""

import weasyprint


class _NoFetch(weasyprint.URLFetcher):
    def fetch(self, url, headers=None):
        raise ValueError(f"Haven's printable pages fetch nothing ({url}).")


def pdf_from_html(html: str) -> bytes:
    return weasyprint.HTML(string=html, url_fetcher=_NoFetch()).write_pdf()
