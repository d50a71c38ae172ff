"""Part A of the sync benchmark: one caseload taken offline and synced back over an
emulated poor link, in Debian's Chromium, with the REST API read the same way as anchor."""

import time

from sync_common import BASE, CHROMIUM, PASSWORD, POOR_3G

# ---- A: one caseload over a poor link, in the browser ------------------------------------


class Wire:
    """Bytes on the wire (headers and compressed bodies) per request, from Chromium itself."""

    def __init__(self, cdp):
        self.urls, self.bytes, self.decoded = {}, {}, {}
        cdp.send("Network.enable")
        cdp.on(
            "Network.dataReceived",
            lambda e: self.decoded.__setitem__(
                e["requestId"], self.decoded.get(e["requestId"], 0) + e["dataLength"]
            ),
        )
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: self.urls.__setitem__(e["requestId"], e["request"]),
        )
        cdp.on(
            "Network.loadingFinished",
            lambda e: self.bytes.__setitem__(e["requestId"], e["encodedDataLength"]),
        )

    def mark(self):
        return set(self.bytes)

    def since(self, before, part):
        """Bytes received on the wire, the same decompressed, and bytes sent (≈: the body
        plus 500 B of headers; Chromium does not report sent header sizes)."""
        down = decoded = up = 0
        for rid, size in self.bytes.items():
            request = self.urls.get(rid, {})
            if rid in before or part not in request.get("url", ""):
                continue
            down += size
            decoded += self.decoded.get(rid, 0)
            up += len(request.get("postData", "") or "") + 500
        return down, decoded, up


def browser_run(username: str, field_cases: int, work_offline: bool) -> dict:
    from playwright.sync_api import sync_playwright

    from haven.cases.models import Case
    from haven.field.models import Operation

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(viewport={"width": 360, "height": 780}, base_url=BASE)
        context.set_default_timeout(600_000)
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")
        page.goto("/field/")
        page.get_by_label("Name of this device").fill("Bench phone")
        page.get_by_label("Choose an offline passphrase").fill(PASSWORD)
        page.get_by_label("Passphrase again").fill(PASSWORD)
        page.get_by_role("button", name="Enrol this device").click()
        page.locator("#field-work").wait_for()
        cdp = context.new_cdp_session(page)
        wire = Wire(cdp)
        cdp.send("Network.emulateNetworkConditions", POOR_3G)

        before = wire.mark()
        started = time.perf_counter()
        page.get_by_role("button", name="Sync now").click()
        page.locator("#field-status", has_text="Synced").wait_for()
        seconds = time.perf_counter() - started
        down, decoded, up = wire.since(before, "/api/v1/field/")
        results["caseload"] = {
            "cases": page.locator("#field-caseload li").count(),
            "bytes_down": down,
            "decoded": decoded,
            "bytes_up": up,
            "seconds": round(seconds, 1),
        }

        # The anchor on the same link: the REST API read as an integration would read it.
        before = wire.mark()
        started = time.perf_counter()
        fetched = page.evaluate(REST_READ)
        seconds = time.perf_counter() - started
        down, decoded, up = wire.since(before, "/api/v1/")
        results["rest_anchor"] = {
            "cases": fetched,
            "bytes_down": down,
            "decoded": decoded,
            "bytes_up": up,
            "seconds": round(seconds, 1),
        }

        if not work_offline:
            browser.close()
            return results
        # Offline: 100 registrations and 300 edits through the app's screens.
        context.set_offline(True)
        started = time.perf_counter()
        for i in range(100):
            page.get_by_role("button", name="Register a person").click()
            page.get_by_label("Given name").fill(f"Offline {i}")
            page.get_by_label("Family name").fill("Registrant")
            page.get_by_label("Sex").select_option("female" if i % 2 else "male")
            page.get_by_label("Programme").select_option("vulnerable_migrants")
            page.get_by_label("Stranded migrant").check()
            page.get_by_label("The person consents to being registered").check()
            page.get_by_role("button", name="Register", exact=True).click()
            page.locator("#field-work").wait_for()
        rows = page.locator("#field-caseload button[data-key]:not([data-key^='local:'])")
        for i in range(min(300, field_cases)):
            rows.nth(i).click()
            page.get_by_label("Summary of the case").fill(
                f"Seen again at the border post, visit {i}"
            )
            page.get_by_role("button", name="Save the summary").click()
            page.locator("#field-status", has_text="Summary saved").wait_for()
            page.get_by_role("button", name="Back to the caseload").first.click()
        results["offline_work_seconds"] = round(time.perf_counter() - started, 1)

        context.set_offline(False)
        cdp.send("Network.emulateNetworkConditions", POOR_3G)
        operations_before = Operation.objects.count()
        cases_before = Case.objects.count()
        before = wire.mark()
        started = time.perf_counter()
        page.get_by_role("button", name="Sync now").click()
        page.locator("#field-status", has_text="Synced").wait_for()
        seconds = time.perf_counter() - started
        down, _decoded, up = wire.since(before, "/api/v1/field/")
        sent = Operation.objects.count() - operations_before
        results["sync_back"] = {
            "operations": sent,
            "registered": Case.objects.count() - cases_before,
            "status": page.locator("#field-status").text_content(),
            "bytes_down": down,
            "bytes_up": up,
            "seconds": round(seconds, 1),
        }
        browser.close()
    return results


REST_READ = """async () => {
  const get = async (url) => {
    const headers = {Accept: "application/json"};
    const response = await fetch(url, {credentials: "same-origin", headers});
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.json();
  };
  let url = "/api/v1/cases/", cases = [];
  while (url) { const page = await get(url); cases.push(...page.results); url = page.next; }
  const persons = cases.map((c) => (typeof c.person === "object" ? c.person.id : c.person));
  let next = 0;
  const lane = async () => {
    while (next < persons.length) await get(`/api/v1/persons/${persons[next++]}/`);
  };
  await Promise.all([lane(), lane(), lane(), lane(), lane(), lane()]);
  return cases.length;
}"""
