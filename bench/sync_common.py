"""What the two parts of the sync benchmark share: where Haven is served, the link, the
browser, the password of the benchmark's throwaway accounts."""

import os

# Playwright runs an event loop in this thread; the ORM reads between its calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
PORT = 8766
BASE = f"http://127.0.0.1:{PORT}"
POOR_3G = {"offline": False, "latency": 300, "downloadThroughput": 32000, "uploadThroughput": 32000}
CHROMIUM = os.environ.get("HAVEN_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "Bench-sync-passphrase-1"  # noqa: S105 (a throwaway benchmark database)
