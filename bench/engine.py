"""The form engine on a poor link: how long a caseworker waits, the first time, until an
assessment shows, and how many bytes that takes — Haven's build of ODK Web Forms against
the same package bundled as published (its embedded fonts kept), sent as it is and
gzip-compressed.

Both are served by the same small server (a compressed copy is sent when there is one and
the browser accepts it, as Haven's static files server does), to Debian's Chromium with
Chromium's network emulation of a poor 3G link (256 kbit/s, 300 ms), a fresh cache each
run; the form is the shipped vulnerability screening.

    python bench/engine.py [--runs 3]          (make bench-engine)
"""

import argparse
import functools
import gzip
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sync_browser import Wire  # noqa: E402
from sync_common import CHROMIUM, POOR_3G  # noqa: E402

HAVEN_BUILD = ROOT / "haven" / "assessments" / "static" / "assessments" / "build"
FORM = ROOT / "haven" / "assessments" / "forms" / "vulnerability_screening.xlsx"
PORT = 8767

SHOW_FORM = """async (url) => {
  const started = performance.now();
  const engine = await import(url);
  const formXml = await (await fetch("/form.xml")).text();
  const box = document.createElement("div");
  document.body.append(box);
  await engine.mountForm(box, { formXml });
  return (performance.now() - started) / 1000;
}"""


class Files(http.server.SimpleHTTPRequestHandler):
    """Static files; `name.br` or `name.gz` sent in place of `name` when accepted."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        accepted = self.headers.get("Accept-Encoding", "")
        for suffix, coding in ((".br", "br"), (".gz", "gzip")):
            packed = path.with_name(path.name + suffix)
            if coding in accepted and packed.is_file():
                body = packed.open("rb")
                self.send_response(200)
                self.send_header("Content-Type", self.guess_type(str(path)))
                self.send_header("Content-Encoding", coding)
                self.send_header("Content-Length", str(packed.stat().st_size))
                self.end_headers()
                return body
        return super().send_head()

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):
        pass


def prepare(folder: Path) -> None:
    from haven.scoring.xform import xform_of

    shutil.copytree(HAVEN_BUILD, folder / "haven")
    env = {**os.environ, "HAVEN_ENGINE_PLAIN": str(folder / "plain")}
    node = shutil.which("node") or "node"
    build = [node, "haven/assessments/assets/build.mjs"]
    subprocess.run(build, cwd=ROOT, env=env, check=True)  # noqa: S603 (fixed arguments)
    shutil.copytree(folder / "plain", folder / "plaingz")
    for script in (folder / "plaingz").glob("*.js"):
        script.with_name(script.name + ".gz").write_bytes(gzip.compress(script.read_bytes(), 9))
    (folder / "form.xml").write_text(xform_of(FORM.read_bytes()), encoding="utf-8")
    (folder / "index.html").write_text("<!doctype html><title>engine</title>", encoding="utf-8")


def measure(base: str, variant: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    seconds, sizes = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 360, "height": 780})
            page = context.new_page()
            page.goto(f"{base}/index.html")
            cdp = context.new_cdp_session(page)
            wire = Wire(cdp)
            cdp.send("Network.emulateNetworkConditions", POOR_3G)
            before = wire.mark()
            seconds.append(page.evaluate(SHOW_FORM, f"/{variant}/webform.js"))
            page.wait_for_timeout(500)  # the last loadingFinished events
            sizes.append(wire.since(before, f"/{variant}/")[0])
            context.close()
        browser.close()
    return {"seconds": statistics.median(seconds), "bytes": statistics.median(sizes)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        prepare(Path(folder))
        handler = functools.partial(Files, directory=folder)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            base = f"http://127.0.0.1:{PORT}"
            haven = measure(base, "haven", args.runs)
            plain = measure(base, "plain", args.runs)
            packed = measure(base, "plaingz", args.runs)
        finally:
            server.shutdown()
    print("The form engine, first use, 256 kbit/s and 300 ms, median of", args.runs, "runs")
    print(f"   Haven's build        : {haven['bytes']:,} B, shown after {haven['seconds']:.1f} s")
    for name, anchor in (("as published, as is", plain), ("as published, gzip", packed)):
        print(
            f"   {name:21}: {anchor['bytes']:,} B, shown after {anchor['seconds']:.1f} s;"
            f" anchor / Haven {anchor['bytes'] / haven['bytes']:.2f}x bytes,"
            f" {anchor['seconds'] / haven['seconds']:.2f}x seconds"
        )


if __name__ == "__main__":
    main()
