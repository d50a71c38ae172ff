// Haven's offline field app: enrol, unlock, work on the caseload with no connection, sync.
import { chosenForm, close as closeAssessment, fillAssessment } from "./assessing.js";
import { newDataKey, passphraseKey, randomBytes, recoveryKey, unwrap, wrap } from "./crypto.js";
import { Refused, Wipe, makeApi } from "./net.js";
import { caseRef, codeOf, openCase, placeOf, prepareRegister, renderCase, renderCaseload } from "./screens.js";
import { getMeta, setMeta, Vault, wipe } from "./store.js";
import { $, SETTINGS, formError, root, say, show, state, t, uuid } from "./state.js";
import { sync } from "./syncing.js";

const DAY = 86400000;
let lockTimer = null;

function api() {
  return makeApi(root.dataset.api, state.device, t("sign_in"));
}

function setNetwork() {
  $("#field-network").textContent = navigator.onLine ? t("online") : t("offline");
  $("#field-network").classList.toggle("offline", !navigator.onLine);
}

async function wiped(reason) {
  state.vault = null;
  state.cases = new Map();
  await wipe();
  $("#wiped-reason").textContent = reason;
  show("wiped");
  say(reason, true);
}

// A write that fails for lack of space says so and returns false; what was saved before
// stays saved, and the screen keeps what was typed.
async function guarded(action) {
  try {
    await action();
    return true;
  } catch (error) {
    if (error && error.name === "QuotaExceededError") {
      say(t("storage_full"), true);
      return false;
    }
    throw error;
  }
}

async function counts() {
  const ops = state.vault ? await state.vault.ops() : [];
  const last = await getMeta("lastSync");
  $("#field-counts").textContent = t("counts", {
    cases: state.cases.size,
    waiting: ops.filter((op) => op.kind !== "view").length,
    last: last ? new Date(last).toLocaleString() : t("never"),
  });
}

// ---- locking -----------------------------------------------------------------------------

function lock(message) {
  closeAssessment(); // nothing personal stays on screen once locked
  state.vault = null;
  state.cases = new Map();
  state.current = null;
  clearTimeout(lockTimer);
  show("unlock");
  say(message || "");
}

function touch() {
  if (!state.vault) return;
  clearTimeout(lockTimer);
  const minutes = SETTINGS.lock_minutes;
  lockTimer = setTimeout(() => lock(t("locked", { n: minutes })), minutes * 60000);
}

async function openVault(dataKey) {
  state.vault = new Vault(dataKey);
  state.cases = await state.vault.allCases();
  state.reference = (await getMeta("reference")) || null;
  touch();
  show("work");
  renderCaseload();
  await counts();
}

async function enrol(event) {
  event.preventDefault();
  const form = event.target;
  const name = $("#enrol-name").value.trim();
  const passphrase = $("#enrol-pass").value;
  if (!name) return formError(form, t("name_needed"));
  if (passphrase.length < 10) return formError(form, t("passphrase_short"));
  if (passphrase !== $("#enrol-pass2").value) return formError(form, t("passphrases_differ"));
  if (!navigator.onLine) return formError(form, t("needs_online"));
  formError(form, "");
  try {
    const enrolled = await makeApi(root.dataset.api, null, t("sign_in"))("devices/", { method: "POST", body: { name } });
    const dataKey = await newDataKey();
    const salt = randomBytes(16);
    await setMeta("salt", salt);
    await setMeta("byPassphrase", await wrap(dataKey, await passphraseKey(passphrase, salt)));
    await setMeta("byRecovery", await wrap(dataKey, await recoveryKey(enrolled.recovery_key)));
    await setMeta("settings", { lock_minutes: enrolled.lock_minutes, wipe_after_days: enrolled.wipe_after_days });
    await setMeta("enrolledAt", Date.now());
    state.device = { id: enrolled.id, secret: enrolled.secret };
    await setMeta("device", state.device);
    form.reset();
    await openVault(dataKey);
    say(t("enrolled"));
  } catch (error) {
    formError(form, error.message);
  }
}

async function unlock(event) {
  event.preventDefault();
  const form = event.target;
  const retryAt = (await getMeta("retryAt")) || 0;
  if (Date.now() < retryAt) return formError(form, t("wait", { n: Math.ceil((retryAt - Date.now()) / 1000) }));
  const passphrase = $("#unlock-pass").value;
  try {
    const key = await passphraseKey(passphrase, await getMeta("salt"));
    const dataKey = await unwrap(await getMeta("byPassphrase"), key);
    await setMeta("failures", 0);
    form.reset();
    formError(form, "");
    await openVault(dataKey);
    say(t("unlocked"));
  } catch {
    // Each wrong passphrase doubles the wait (up to five minutes); the data stays sealed.
    const failures = ((await getMeta("failures")) || 0) + 1;
    const seconds = Math.min(2 ** failures, 300);
    await setMeta("failures", failures);
    await setMeta("retryAt", Date.now() + seconds * 1000);
    formError(form, t("wrong_passphrase", { n: seconds }));
  }
}

async function recover(event) {
  event.preventDefault();
  const form = event.target;
  const passphrase = $("#recover-pass").value;
  if (passphrase.length < 10) return formError(form, t("passphrase_short"));
  if (!navigator.onLine) return formError(form, t("needs_online"));
  try {
    const answer = await api()("devices/recovery-key/", { method: "POST", body: {} });
    const dataKey = await unwrap(await getMeta("byRecovery"), await recoveryKey(answer.recovery_key));
    const salt = randomBytes(16);
    await setMeta("salt", salt);
    await setMeta("byPassphrase", await wrap(dataKey, await passphraseKey(passphrase, salt)));
    await setMeta("failures", 0);
    await setMeta("retryAt", 0);
    form.reset();
    formError(form, "");
    await openVault(dataKey);
    say(t("unlocked"));
  } catch (error) {
    if (error instanceof Wipe) return wiped(t("wiped", { reason: error.message }));
    formError(form, error.message);
  }
}

// ---- work offline --------------------------------------------------------------------------

async function queue(op, record) {
  op.made_at = op.made_at || new Date().toISOString();
  return guarded(async () => {
    await state.vault.addOp(op);
    if (record) {
      // The case keeps a light copy of the change: its files are kept once, in the queue.
      const light = op.files ? { ...op, files: op.files.map(({ id, name }) => ({ id, name })) } : op;
      record.pending = [...(record.pending || []), light];
      await state.vault.putCase(op.kind === "register" ? op.ref : String(op.case), record);
    }
  });
}

// A change kept on the device: the form is emptied, the case shown with it, waiting.
function savedOnDevice(form, message) {
  form.reset();
  formError(form, "");
  say(t(message));
  renderCase(state.current);
}

async function addNote(event) {
  event.preventDefault();
  const form = event.target;
  const body = $("#note-body").value.trim();
  if (!body) return formError(form, t("note_empty"));
  const record = state.cases.get(state.current);
  if (!(await queue({ id: uuid(), kind: "note.add", case: caseRef(state.current), body }, record))) return;
  savedOnDevice(form, "note_saved");
}

async function addService(event) {
  event.preventDefault();
  const form = event.target;
  const service = $("#service-type").value;
  const date = $("#service-date").value;
  if (!service || !date) return formError(form, t("service_needed"));
  const record = state.cases.get(state.current);
  const op = { id: uuid(), kind: "service.record", case: caseRef(state.current), service, delivered_on: date, notes: $("#service-notes").value.trim() };
  if (!(await queue(op, record))) return;
  savedOnDevice(form, "service_saved");
}

async function refer(event) {
  event.preventDefault();
  const form = event.target;
  const record = state.cases.get(state.current);
  const service = $("#refer-service").value;
  const point = $("#refer-point").value;
  const reason = $("#refer-reason").value.trim();
  const fields = [...form.querySelectorAll("input[name=shared]:checked")].map((box) => box.value);
  if (!service || !point || !reason) return formError(form, t("referral_needed"));
  if (!fields.length) return formError(form, t("referral_fields"));
  const consent = $("#refer-consent").checked;
  if (!record.bundle.referral_consent && !consent) return formError(form, t("referral_consent_needed"));
  const op = { id: uuid(), kind: "referral.create", case: caseRef(state.current), service, point: Number(point), reason, fields, urgent: $("#refer-urgent").checked, consent_given: consent };
  if (!(await queue(op, record))) return;
  if (consent) record.bundle.referral_consent = true;
  savedOnDevice(form, "referral_saved");
}

// The device's copy of the summary travels with the change: if someone changed it
// meanwhile, the server keeps both for the case owner to choose.
async function editSummary(event) {
  event.preventDefault();
  const record = state.cases.get(state.current);
  const before = record.bundle.summary || "";
  const after = $("#summary-body").value.trim();
  if (after === before) return;
  const op = { id: uuid(), kind: "case.update", case: caseRef(state.current), changes: { summary: { from: before, to: after } } };
  if (!(await queue(op, record))) return;
  record.bundle.summary = after;
  await state.vault.putCase(state.current, record);
  say(t("summary_saved"));
  renderCase(state.current);
}

async function moveStep(event) {
  event.preventDefault();
  const target = $("#step-select").value;
  if (!target) return;
  const record = state.cases.get(state.current);
  if (!(await queue({ id: uuid(), kind: "case.transition", case: caseRef(state.current), to: target }, record))) return;
  record.bundle.status = target;
  record.bundle.steps = [];
  await state.vault.putCase(state.current, record);
  say(t("step_saved"));
  renderCase(state.current);
}

// An assessment is filled in the form engine; the answers wait on the device, encrypted like
// everything else, and the server checks and scores them at sync.
async function assess(event) {
  event.preventDefault();
  const form = chosenForm();
  if (!form) return formError(event.target, t("assessment_choose"));
  formError(event.target, "");
  const key = state.current;
  await fillAssessment(form, async (instance, files) => {
    const record = state.cases.get(key);
    const op = { id: uuid(), kind: "assessment.submit", case: caseRef(key), definition: form.id, title: form.title, instance, files };
    if (!(await queue(op, record))) return false;
    say(t("assessment_saved"));
    renderCase(key);
    return true;
  });
}

async function register(event) {
  event.preventDefault();
  const form = event.target;
  const given = $("#reg-given").value.trim();
  if (!given) return formError(form, t("given_needed"));
  if (!$("#reg-sex").value) return formError(form, t("sex_needed"));
  const vulnerabilities = [...form.querySelectorAll("input[name=vulnerability]:checked")].map((box) => box.value);
  if (!$("#reg-programme").value || !vulnerabilities.length) return formError(form, t("programme_needed"));
  if (!$("#reg-consent").checked) return formError(form, t("consent_needed"));
  const ref = "local:" + uuid();
  const person = {
    given_name: given,
    family_name: $("#reg-family").value.trim(),
    original_script_name: $("#reg-script").value.trim(),
    sex: $("#reg-sex").value,
  };
  if ($("#reg-birth").value) person.birth_date = $("#reg-birth").value;
  const lists = state.reference || {};
  const nationality = codeOf(lists.countries, $("#reg-nationality").value);
  const language = codeOf(lists.languages, $("#reg-language").value);
  if (nationality === null) return formError(form, t("country_unknown"));
  if (language === null) return formError(form, t("language_unknown"));
  const place = placeOf(lists.places, $("#reg-place").value);
  if (place === null) return formError(form, t("place_unknown"));
  if (place) person.current_location = place;
  if (nationality) person.nationalities = [nationality];
  if (language) person.languages = [language];
  const caseFields = { programme: $("#reg-programme").value, vulnerabilities, summary: $("#reg-summary").value.trim() };
  const op = { id: uuid(), kind: "register", ref, person, case_fields: caseFields, consent_given: true, registration_basis: "consent" };
  const number = "#" + (state.cases.size + 1) + "-" + ref.slice(6, 10).toUpperCase();
  const record = {
    bundle: { id: ref, number, provisional: true, status: "registered", programme: caseFields.programme, person, notes: [], services: [], steps: [], registered_on: new Date().toISOString().slice(0, 10) },
    pending: [],
    notices: [],
  };
  if (!(await queue(op, record))) return;
  state.cases.set(ref, record);
  form.reset();
  formError(form, "");
  say(t("registered"));
  show("work");
  renderCaseload();
  await counts();
}

async function syncNow() {
  if (!navigator.onLine) return say(t("needs_online"), true);
  $("#sync-button").disabled = true;
  try {
    const result = await sync(api());
    say(t("synced", result));
  } catch (error) {
    if (error instanceof Wipe) return wiped(t("wiped", { reason: error.message }));
    say(error instanceof Refused ? error.message : t("sync_failed", { reason: error.message }), true);
  } finally {
    $("#sync-button").disabled = false;
    $("#sync-progress").hidden = true;
  }
  renderCaseload();
  await counts();
}

// ---- start -----------------------------------------------------------------------------------

async function start() {
  setNetwork();
  window.addEventListener("online", setNetwork);
  window.addEventListener("offline", setNetwork);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register(root.dataset.sw, { scope: "/field/" }).catch(() => {});
  for (const name of ["pointerdown", "keydown"]) document.addEventListener(name, touch, { passive: true });
  $("#enrol-form").addEventListener("submit", enrol);
  $("#unlock-form").addEventListener("submit", unlock);
  $("#recover-form").addEventListener("submit", recover);
  $("#note-form").addEventListener("submit", addNote);
  $("#service-form").addEventListener("submit", addService);
  $("#step-form").addEventListener("submit", moveStep);
  $("#summary-form").addEventListener("submit", editSummary);
  $("#refer-form").addEventListener("submit", refer);
  $("#assess-start").addEventListener("submit", assess);
  $("#register-form").addEventListener("submit", register);
  $("#sync-button").addEventListener("click", syncNow);
  $("#register-button").addEventListener("click", prepareRegister);
  $("#lock-button").addEventListener("click", () => lock(""));
  $("#field-search").addEventListener("input", renderCaseload);
  $("#field-caseload").addEventListener("click", (event) => {
    const row = event.target.closest("[data-key]");
    if (row) openCase(row.dataset.key, queue);
  });
  $("#assess-back").addEventListener("click", () => {
    closeAssessment();
    renderCase(state.current);
  });
  for (const back of root.querySelectorAll("[data-back]")) {
    back.addEventListener("click", () => {
      show("work");
      renderCaseload();
    });
  }

  state.device = (await getMeta("device")) || null;
  if (!state.device) {
    show("enrol");
    if (!navigator.onLine) say(t("needs_online"), true);
    return;
  }
  // Wiped when told so at contact, or after too long without a sync.
  const settings = (await getMeta("settings")) || SETTINGS;
  const last = (await getMeta("lastSync")) || (await getMeta("enrolledAt")) || Date.now();
  if (Date.now() - last > settings.wipe_after_days * DAY) {
    return wiped(t("expired", { n: settings.wipe_after_days }));
  }
  if (navigator.onLine) {
    try {
      await api()("devices/status/");
    } catch (error) {
      if (error instanceof Wipe) return wiped(t("wiped", { reason: error.message }));
    }
  }
  show("unlock");
}

start();
