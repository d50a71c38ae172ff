// The screens of the unlocked app: the caseload, one case, the registration form.
import { prepareAssessments } from "./assessing.js";
import { $, fullName, isolated, say, show, state, t, uuid } from "./state.js";

function label(list, value) {
  const found = (list || []).find((item) => item[0] === value);
  return found ? found[1] : value;
}

function fold(text) {
  return (text || "").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

function stateOf(record) {
  const notices = record.notices || [];
  const conflict = notices.find((n) => n.state === "conflict");
  const refused = notices.find((n) => n.state === "refused");
  if (conflict) return ["conflict", t("state_conflict")];
  if (refused) return ["refused", t("state_refused", { reason: refused.reason })];
  if ((record.pending || []).length || record.bundle.provisional) return ["waiting", t("state_waiting")];
  return ["synced", t("state_synced")];
}

function badge(record) {
  const [kind, text] = stateOf(record);
  const element = document.createElement("span");
  element.className = "badge sync-" + kind;
  element.textContent = text;
  return element;
}

export function renderCaseload() {
  const query = fold($("#field-search").value.trim());
  const list = $("#field-caseload");
  list.replaceChildren();
  const records = [...state.cases.entries()].sort((a, b) => fullName(a[1].bundle.person).localeCompare(fullName(b[1].bundle.person)));
  let shown = 0;
  for (const [key, record] of records) {
    const person = record.bundle.person;
    const haystack = fold([person.given_name, person.family_name, person.original_script_name, record.bundle.number].join(" "));
    if (query && !haystack.includes(query)) continue;
    shown += 1;
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "case-row";
    button.dataset.key = key;
    const number = document.createElement("span");
    number.className = "case-number";
    number.textContent = record.bundle.provisional ? `${record.bundle.number} (${t("provisional")})` : record.bundle.number;
    button.append(number, " ", isolated(fullName(person)));
    if (person.original_script_name) {
      const original = isolated(person.original_script_name);
      original.lang = "und";
      button.append(" ", original);
    }
    button.append(" ", badge(record));
    if (record.duplicate) {
      const warning = document.createElement("span");
      warning.className = "badge sync-conflict";
      warning.textContent = t("duplicate");
      button.append(" ", warning);
    }
    item.append(button);
    list.append(item);
  }
  $("#field-empty").hidden = state.cases.size > 0;
  if (state.cases.size > 0 && shown === 0) {
    const item = document.createElement("li");
    item.textContent = t("no_match");
    list.append(item);
  }
}

function fact(list, term, value) {
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  dd.append(value);
  list.append(dt, dd);
}

function fill(select, options, placeholder) {
  select.replaceChildren();
  if (placeholder) select.append(new Option(placeholder, ""));
  for (const [value, text] of options) select.append(new Option(text, value));
}

// Opening a case is a view of personal data: logged on the device, uploaded at sync.
export async function openCase(key, queue) {
  if (!renderCase(key)) return;
  await queue({ id: uuid(), kind: "view", case: caseRef(key), view: "case.detail", at: new Date().toISOString() }, null);
}

export function renderCase(key) {
  const record = state.cases.get(key);
  if (!record) return false;
  state.current = key;
  const { bundle } = record;
  const ref = state.reference || {};
  const title = $("#case-title");
  title.replaceChildren(bundle.provisional ? `${bundle.number} (${t("provisional")}) · ` : `${bundle.number} · `, isolated(fullName(bundle.person)));
  $("#case-state").replaceChildren(badge(record), ...(record.notices || []).map((n) => {
    const p = document.createElement("p");
    p.textContent = n.reason;
    return p;
  }));
  const facts = $("#case-facts");
  facts.replaceChildren();
  fact(facts, t("status"), label(ref.statuses, bundle.status));
  fact(facts, t("programme"), label(ref.programmes, bundle.programme));
  fact(facts, t("registered_on"), bundle.registered_on || "");
  if (bundle.person.birth_date) fact(facts, t("born"), bundle.person.birth_date);
  if (bundle.person.original_script_name) fact(facts, "", isolated(bundle.person.original_script_name));
  renderPlan(bundle);
  fill($("#step-select"), (bundle.steps || []).map((s) => [s, label(ref.statuses, s)]), t("choose"));
  $("#step-form").hidden = !(bundle.steps || []).length;
  fill($("#service-type"), ref.services || [], t("choose"));
  prepareReferral(bundle, ref);
  prepareAssessments(record, ref);
  $("#service-date").value = new Date().toISOString().slice(0, 10);
  const notes = $("#case-notes");
  notes.replaceChildren();
  for (const n of [...(record.pending || []).filter((p) => p.kind === "note.add").map((p) => ({ body: p.body, created_at: p.made_at, waiting: true })), ...(bundle.notes || [])]) {
    const item = document.createElement("li");
    const body = document.createElement("p");
    body.dir = "auto";
    body.textContent = n.body;
    const meta = document.createElement("small");
    meta.textContent = `${(n.created_at || "").slice(0, 16).replace("T", " ")} ${n.author || ""}${n.waiting ? " · " + t("state_waiting") : ""}`;
    item.append(body, meta);
    notes.append(item);
  }
  if (!notes.children.length) notes.append(Object.assign(document.createElement("li"), { textContent: t("no_notes") }));
  const services = $("#case-services");
  services.replaceChildren();
  for (const s of [...(record.pending || []).filter((p) => p.kind === "service.record").map((p) => ({ service: label(ref.services, p.service), delivered_on: p.delivered_on, waiting: true })), ...(bundle.services || [])]) {
    services.append(Object.assign(document.createElement("li"), { textContent: `${s.delivered_on} · ${s.service}${s.waiting ? " · " + t("state_waiting") : ""}` }));
  }
  if (!services.children.length) services.append(Object.assign(document.createElement("li"), { textContent: t("no_services") }));
  $("#summary-body").value = bundle.summary || "";
  $("#summary-form").hidden = Boolean(bundle.provisional);
  show("case");
  return true;
}

export function caseRef(key) {
  return key.startsWith("local:") ? key : Number(key);
}

export function prepareRegister() {
  const ref = state.reference || {};
  fill($("#reg-sex"), ref.sexes || [], t("choose"));
  fill($("#reg-programme"), ref.programmes || [], t("choose"));
  for (const [id, rows] of [["#reg-nationality-options", ref.countries], ["#reg-language-options", ref.languages], ["#reg-place-options", ref.places]]) {
    $(id).replaceChildren(...(rows || []).map(([_code, name]) => Object.assign(document.createElement("option"), { value: name })));
  }
  const box = $("#reg-vulnerabilities");
  box.querySelectorAll("label").forEach((label) => label.remove());
  for (const [value, text] of ref.vulnerabilities || []) {
    const label = document.createElement("label");
    label.className = "choice";
    const input = document.createElement("input");
    input.type = "checkbox";
    input.name = "vulnerability";
    input.value = value;
    label.append(input, " ", text);
    box.append(label);
  }
  $("#register-form").reset();
  show("register");
  say("");
}

// The code a name picked from the list stands for ("" when the box is empty; null when
// what was typed is not in the list).
export function codeOf(rows, typed) {
  const text = (typed || "").trim();
  if (!text) return "";
  const wanted = fold(text);
  const found = (rows || []).find(([code, name]) => fold(name) === wanted || code.toLowerCase() === wanted);
  return found ? found[0] : null;
}

// The place a label, a code or a name only one place has stands for ("" when empty; null
// when nothing, or several places of that name, match: the label tells those apart).
export function placeOf(rows, typed) {
  const text = (typed || "").trim();
  if (!text) return "";
  const wanted = fold(text);
  const exact = (rows || []).find(([code, label]) => fold(label) === wanted || code.toLowerCase() === wanted);
  if (exact) return exact[0];
  const named = (rows || []).filter(([, , name]) => fold(name) === wanted);
  return named.length === 1 ? named[0][0] : null;
}

function item(text, className) {
  const element = document.createElement("li");
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

function renderPlan(bundle) {
  const tasks = $("#case-tasks");
  tasks.replaceChildren(...(bundle.tasks || []).map((task) => item(`${task.due} · ${task.title}${task.overdue ? " · " + t("overdue") : ""}`, task.overdue ? "overdue" : "")));
  if (!tasks.children.length) tasks.append(item(t("no_tasks")));
  const plan = $("#case-plan");
  plan.replaceChildren();
  if (!bundle.plan) {
    plan.append(Object.assign(document.createElement("p"), { textContent: t("no_plan") }));
    return;
  }
  const goals = Object.assign(document.createElement("p"), { textContent: bundle.plan.goals, dir: "auto" });
  const state = Object.assign(document.createElement("p"), { textContent: bundle.plan.state });
  const actions = document.createElement("ul");
  actions.className = "list";
  for (const action of bundle.plan.actions) {
    actions.append(item(`${action.done ? "✓ " : ""}${action.description}${action.due_on ? " · " + action.due_on : ""}`));
  }
  plan.append(state, goals, actions);
}

const SHARED_BY_DEFAULT = ["name", "sex", "age"];

function prepareReferral(bundle, ref) {
  const points = ref.points || [];
  const offered = (ref.services || []).filter(([code]) => points.some((p) => p.services.includes(code)));
  const service = $("#refer-service");
  fill(service, offered, t("choose"));
  const choosePoints = () => fill(
    $("#refer-point"),
    points.filter((p) => p.services.includes(service.value)).map((p) => [String(p.id), p.name]),
    t("choose"),
  );
  service.onchange = choosePoints;
  choosePoints();
  const box = $("#refer-fields");
  box.querySelectorAll("label").forEach((label) => label.remove());
  for (const [name, text] of ref.shareable || []) {
    const input = Object.assign(document.createElement("input"), { type: "checkbox", name: "shared", value: name, checked: SHARED_BY_DEFAULT.includes(name) });
    const label = document.createElement("label");
    label.className = "choice";
    label.append(input, " ", text);
    box.append(label);
  }
  $("#refer-consent-choice").hidden = Boolean(bundle.referral_consent);
  $("#refer-form").hidden = Boolean(bundle.provisional) || !offered.length;
}
