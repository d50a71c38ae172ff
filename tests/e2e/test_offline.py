"""The offline field app in Debian's Chromium with the network really cut: enrol, work
offline (register, note, service, summary), sync back, conflicts, revocation, encryption."""

import re

import pytest
from playwright.sync_api import expect

from haven.assessments.models import Assessment
from haven.assistance.models import Referral, ServiceDelivery
from haven.audit.models import AccessLog, AuditEvent
from haven.cases.models import Case, Note
from haven.field.models import Conflict, Device
from tests.conftest import CASE, PERSON
from tests.e2e.conftest import login
from tests.e2e.webforms import choose, type_answer, wait_for_engine

pytestmark = pytest.mark.e2e
PASSPHRASE = "river stones at dawn"

# Every value in the device's IndexedDB, byte buffers read as text: whatever is stored in
# clear shows up in it.
RAW_STORAGE = """async () => {
  const db = await new Promise((ok, ko) => {
    const r = indexedDB.open("haven-field"); r.onsuccess = () => ok(r.result); r.onerror = ko;
  });
  const text = (v) => {
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
      const bytes = new Uint8Array(v.buffer ? v.buffer : v);
      let s = ""; for (const b of bytes) s += String.fromCharCode(b); return s;
    }
    if (v && typeof v === "object") return Object.values(v).map(text).join(" ");
    return String(v);
  };
  const out = [];
  for (const name of db.objectStoreNames) {
    const all = await new Promise((ok) => {
      const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => ok(r.result);
    });
    out.push(...all.map(text));
  }
  db.close();
  return out.join("\\n");
}"""


@pytest.fixture
def register_many(people):
    from haven.cases import actions

    def make(count):
        for index in range(count):
            actions.register(
                people["caseworker"], person={**PERSON, "given_name": f"Person {index}"}, case=CASE
            )

    return make


def enrol(page, name="Phone"):
    page.goto("/field/")
    page.get_by_label("Name of this device").fill(name)
    page.get_by_label("Choose an offline passphrase").fill(PASSPHRASE)
    page.get_by_label("Passphrase again").fill(PASSPHRASE)
    page.get_by_role("button", name="Enrol this device").click()
    expect(page.locator("#field-status")).to_contain_text("Device enrolled")


def sync(page):
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#field-status")).to_contain_text("Synced", timeout=30000)


def unlock(page):
    page.get_by_label("Offline passphrase", exact=True).fill(PASSPHRASE)
    page.get_by_role("button", name="Unlock", exact=True).click()
    expect(page.locator("#field-work")).to_be_visible()


def register_offline(page, given, family, script="", country="", language="", place=""):
    page.get_by_role("button", name="Register a person").click()
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    if script:
        page.get_by_label("Name in original script").fill(script)
    page.get_by_label("Nationality").fill(country)
    page.get_by_label("Main language").fill(language)
    page.get_by_label("Where the person is now").fill(place)
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Programme").select_option("vulnerable_migrants")
    page.get_by_label("Stranded migrant").check()
    page.get_by_label("The person consents to being registered").check()
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.locator("#field-status")).to_contain_text("provisional number")


def open_case(page, text):
    page.locator("#field-caseload").get_by_text(text).first.click()
    expect(page.locator("#field-case")).to_be_visible()


def test_work_offline_for_a_day_then_sync(people, caseload, new_page, shot):
    page = new_page(width=360, height=780)
    login(page, "alice")
    enrol(page)
    sync(page)
    expect(page.locator("#field-caseload")).to_contain_text("Amal Haddad")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    # The network is cut: the app and the caseload still open.
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#field-network")).to_contain_text("Offline")
    page.get_by_label("Offline passphrase", exact=True).fill("not the passphrase")
    page.get_by_role("button", name="Unlock", exact=True).click()
    expect(page.locator("#unlock-form .field-error")).to_contain_text("Wrong passphrase")
    page.wait_for_timeout(2100)
    unlock(page)
    page.get_by_label("Search the cases on this device").fill("حداد")
    expect(page.locator("#field-caseload")).to_contain_text("Amal Haddad")
    page.get_by_label("Search the cases on this device").fill("")

    for given, family, script, country, language, place in (
        ("Yonas", "Tesfay", "ዮናስ ተስፋይ", "Eritrea", "Tigrinya", "Arlit"),
        ("Mariam", "Diallo", "", "Guinea", "", ""),
        ("Samira", "Khalil", "سميرة خليل", "", "Arabic", "Arlit (Agadez) · NE001002"),
    ):
        register_offline(page, given, family, script, country, language, place)
    expect(page.locator("#field-caseload .sync-waiting")).to_have_count(3)
    open_case(page, "Amal Haddad")
    page.get_by_label("Note", exact=True).fill("Met at the border post; needs shelter tonight")
    page.get_by_role("button", name="Save the note").click()
    expect(page.locator("#case-notes")).to_contain_text("needs shelter tonight")
    page.get_by_label("Service", exact=True).select_option("shelter")
    page.get_by_role("button", name="Record the service").click()
    expect(page.locator("#case-services")).to_contain_text(re.compile("shelter", re.I))
    page.get_by_label("Service needed").select_option("shelter")
    page.get_by_label("Service point").select_option(label="Safe House North (Safe House)")
    page.get_by_label("What the person needs").fill("A bed for tonight")
    page.get_by_role("button", name="Queue the referral").click()
    expect(page.locator("#refer-form .field-error")).to_contain_text("not consented")
    page.get_by_label("The person consents to this referral").check()
    page.get_by_role("button", name="Queue the referral").click()
    expect(page.locator("#field-status")).to_contain_text("Referral saved")
    shot(page, "offline-01-case-offline-360")

    # An assessment, filled in the same form engine as online, from the device's copy.
    page.get_by_label("Form", exact=True).select_option(
        label="Vulnerability screening (Determinants of Migrant Vulnerability)"
    )
    page.get_by_role("button", name="Fill", exact=True).click()
    wait_for_engine(page, "#assess-container")
    choose(page, "Age group of the person", "18_59")
    choose(page, "Has the person experienced exploitation", "yes")
    type_answer(page, "How many people depend", "2")
    choose(page, "Legal status in the country", "irregular")
    type_answer(page, "Observations", "Slept at the bus station")
    shot(page, "offline-01b-assessment-offline-360")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#field-status")).to_contain_text("Assessment saved on this device")
    expect(page.locator("#case-assessments")).to_contain_text("Vulnerability screening")

    # Nothing readable in the browser's storage.
    raw = page.evaluate(RAW_STORAGE)
    assert raw, "the device holds data"
    for clear in ("Amal", "Haddad", "Yonas", "ዮናስ", "سميرة", "shelter tonight", "bus station"):
        assert clear not in raw, f"{clear!r} stored in clear"
    assert Case.objects.count() == 1 and not Note.objects.exists()

    # Back online: everything arrives, numbered, with the device in the audit.
    page.context.set_offline(False)
    page.get_by_role("button", name="Back to the caseload").first.click()
    sync(page)
    device = Device.objects.get()
    assert Case.objects.count() == 4
    yonas = Case.objects.get(person__given_name="Yonas").person
    assert (yonas.nationalities, yonas.languages) == (["ER"], ["tir"])
    assert yonas.current_location.code == "NE001002"
    assert Note.objects.get().body == "Met at the border post; needs shelter tonight"
    assert ServiceDelivery.objects.get().case == caseload
    assert Referral.objects.get().reason == "A bed for tonight"
    screening = Assessment.objects.get(case=caseload)
    assert screening.status == "submitted" and screening.answers["legal_status"] == "irregular"
    assert screening.answers["observations"] == "Slept at the bus station"
    assert screening.scored_with_id == screening.definition_id and "overall" in screening.scores
    assert AuditEvent.objects.filter(action="assessment.submit", device_id=device.pk).exists()
    created = AuditEvent.objects.filter(action="case.create", device_id=device.pk)
    assert created.count() == 3
    assert AccessLog.objects.filter(view="offline.case.detail", device_id=device.pk).exists()
    expect(page.locator("#field-caseload")).to_contain_text(re.compile(r"AA-\d{4}-000004"))
    expect(page.locator("#field-caseload .sync-waiting")).to_have_count(0)
    shot(page, "offline-02-synced-360")


def test_the_same_field_changed_on_two_devices_is_a_conflict(people, caseload, new_page, shot):
    phone = new_page(width=360, height=780)
    login(phone, "alice")
    enrol(phone, "Phone")
    sync(phone)
    tablet = new_page()
    login(tablet, "alice")
    enrol(tablet, "Tablet")
    sync(tablet)

    for page, text in ((phone, "Sleeping at the station"), (tablet, "Moved to the shelter")):
        page.context.set_offline(True)
        open_case(page, "Amal Haddad")
        page.get_by_label("Summary of the case").fill(text)
        page.get_by_role("button", name="Save the summary").click()
        expect(page.locator("#field-status")).to_contain_text("Summary saved")
        page.get_by_role("button", name="Back to the caseload").first.click()
    for page in (phone, tablet):
        page.context.set_offline(False)
        sync(page)
    expect(tablet.locator("#field-caseload .sync-conflict")).to_have_count(1)
    caseload.refresh_from_db()
    assert caseload.summary == "Sleeping at the station"  # the first sync, never overwritten
    conflict = Conflict.objects.get()
    assert conflict.device_value == {"v": "Moved to the shelter"}

    # The owner resolves it online.
    tablet.goto("/field/conflicts/")
    tablet.get_by_role("link", name=re.compile(caseload.number)).click()
    expect(tablet.locator("table")).to_contain_text("Sleeping at the station")
    tablet.get_by_label("Use the value made offline").check()
    shot(tablet, "offline-03-conflict")
    tablet.get_by_role("button", name="Resolve").click()
    expect(tablet.locator(".messages")).to_contain_text("Conflict resolved")
    caseload.refresh_from_db()
    assert caseload.summary == "Moved to the shelter"


def test_a_revoked_device_empties_itself_at_next_contact(people, caseload, new_page):
    page = new_page()
    login(page, "alice")
    enrol(page)
    sync(page)
    supervisor = new_page()
    login(supervisor, "carol")
    supervisor.goto("/field/devices/")
    supervisor.get_by_role("link", name="Revoke…").click()
    supervisor.get_by_label("Reason (optional)").fill("Phone stolen")
    supervisor.get_by_role("button", name="Yes, revoke this device").click()
    expect(supervisor.locator(".messages")).to_contain_text("Device revoked")

    page.reload()
    expect(page.locator("#field-wiped")).to_be_visible()
    expect(page.locator("#wiped-reason")).to_contain_text("revoked")
    left = page.evaluate(
        "async () => (await indexedDB.databases()).filter((d) => d.name === 'haven-field').length"
    )
    assert left == 0
    assert Device.objects.get().wipe_sent_at is not None


def test_the_app_in_arabic_at_360px(people, caseload, new_page, shot):
    page = new_page(width=360, height=780)
    login(page, "alice")
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": page.url}])
    page.goto("/field/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("#enrol-name").fill("هاتف")
    page.locator("#enrol-pass").fill(PASSPHRASE)
    page.locator("#enrol-pass2").fill(PASSPHRASE)
    page.locator("#enrol-form button").click()
    page.locator("#sync-button").click()
    expect(page.locator("#field-caseload")).to_contain_text("Amal Haddad", timeout=30000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways at 360 px ({width} px)"
    shot(page, "offline-04-arabic-360")


def test_a_forgotten_passphrase_is_replaced_online_without_losing_work(people, caseload, new_page):
    page = new_page()
    login(page, "alice")
    enrol(page)
    sync(page)
    page.context.set_offline(True)
    open_case(page, "Amal Haddad")
    page.get_by_label("Note", exact=True).fill("Written before the passphrase was forgotten")
    page.get_by_role("button", name="Save the note").click()
    expect(page.locator("#case-notes")).to_contain_text("passphrase was forgotten")
    page.get_by_role("button", name="Back to the caseload").first.click()
    page.get_by_role("button", name="Lock").click()
    page.get_by_text("Forgot the passphrase?").click()
    page.get_by_label("New passphrase").fill("a brand new passphrase")
    page.get_by_role("button", name="Unlock with my account").click()
    expect(page.locator("#recover-form .field-error")).to_contain_text("connection")

    page.context.set_offline(False)
    page.get_by_role("button", name="Unlock with my account").click()
    expect(page.locator("#field-work")).to_be_visible()
    sync(page)
    assert Note.objects.get().body == "Written before the passphrase was forgotten"
    page.get_by_role("button", name="Lock").click()
    page.get_by_label("Offline passphrase", exact=True).fill("a brand new passphrase")
    page.get_by_role("button", name="Unlock", exact=True).click()
    expect(page.locator("#field-work")).to_be_visible()
    assert AuditEvent.objects.filter(action="device.recovery_key").count() == 1


def test_a_sync_cut_halfway_resumes_where_it_stopped(people, register_many, new_page, settings):
    settings.HAVEN_OFFLINE_PAGE = 2
    register_many(5)
    page = new_page()
    login(page, "alice")
    enrol(page)
    asked = []

    def cut_the_second_page(route):
        asked.append(route.request.url)
        if len(asked) == 2:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/api/v1/field/pull/**", cut_the_second_page)
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#field-status")).to_contain_text("resumes where it stopped")
    expect(page.locator("#field-caseload li")).to_have_count(2)
    sync(page)
    expect(page.locator("#field-caseload li")).to_have_count(5)
    # The third request picked up after the page already received, not from the start.
    assert "after=0" not in asked[2]


def test_a_full_device_storage_says_so_and_loses_nothing(people, caseload, new_page):
    page = new_page()
    login(page, "alice")
    enrol(page)
    sync(page)
    open_case(page, "Amal Haddad")
    page.get_by_label("Note", exact=True).fill("Saved before the storage filled up")
    page.get_by_role("button", name="Save the note").click()
    expect(page.locator("#case-notes")).to_contain_text("before the storage filled up")
    # The browser refuses every further write, as a full phone does.
    page.evaluate(
        """() => {
          const refuse = () => { throw new DOMException("The quota has been exceeded.",
                                                        "QuotaExceededError"); };
          IDBObjectStore.prototype.put = refuse;
        }"""
    )
    page.get_by_label("Note", exact=True).fill("This one does not fit")
    page.get_by_role("button", name="Save the note").click()
    expect(page.locator("#field-status")).to_contain_text("storage is full")
    page.reload()
    unlock(page)
    sync(page)
    assert list(Note.objects.values_list("body", flat=True)) == [
        "Saved before the storage filled up"
    ]
