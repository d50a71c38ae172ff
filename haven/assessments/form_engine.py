"""What a page that runs the form engine (ODK Web Forms) needs from the browser.

The engine parses XPath with a WebAssembly module it carries inside its own script, and
its components set their styles from script. So such a page allows WebAssembly to be
compiled (`'wasm-unsafe-eval'`, which allows no JavaScript eval) and inline styles; scripts
still come only from Haven itself. A photo or recording chosen in the form is previewed from
the browser's own memory (`blob:` addresses), never fetched.
"""

import hashlib
from pathlib import Path

from csp.decorators import csp_update
from django.templatetags.static import static

BUILD = Path(__file__).parent / "static" / "assessments" / "build"

form_engine_page = csp_update(
    {
        "script-src": ["'wasm-unsafe-eval'"],
        "style-src": ["'unsafe-inline'"],
        "img-src": ["blob:"],
        "media-src": ["'self'", "blob:"],
    }
)


def engine_files() -> list[Path]:
    """The engine's scripts, without the map widget: loaded only for a form that asks for a
    map, and only online (it needs map tiles from the internet anyway)."""
    return sorted(p for p in BUILD.glob("*.js") if not p.name.startswith("MapBlock"))


def engine_digest() -> bytes:
    """Changes with every build: the entry script names its chunks by their content."""
    return hashlib.sha256((BUILD / "webform.js").read_bytes()).digest()


def engine_urls() -> list[str]:
    return [static(f"assessments/build/{p.name}") for p in engine_files()]
