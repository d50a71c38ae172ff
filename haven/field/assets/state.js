// What the app holds in memory while unlocked, and small helpers every screen uses.

export const root = document.getElementById("field-app");
const TEXTS = JSON.parse(document.getElementById("field-texts").textContent);
export const SETTINGS = JSON.parse(document.getElementById("field-settings").textContent);

export const state = {
  vault: null, // sealed storage, once unlocked
  cases: new Map(), // key ("123" or "local:…") → { bundle, state, reason, pending }
  reference: null,
  device: null,
  current: null,
  duplicates: new Set(), // ids of cases registered offline that may be duplicates
};

export function t(key, values = {}) {
  return (TEXTS[key] || key).replace(/\{(\w+)\}/g, (_m, name) => (values[name] ?? "").toString());
}

export function $(selector) {
  return root.querySelector(selector);
}

const SECTIONS = ["starting", "enrol", "unlock", "work", "case", "assess", "register", "wiped"];

export function show(name) {
  for (const section of SECTIONS) $("#field-" + section).hidden = section !== name;
  const heading = $("#field-" + name + " h2");
  if (heading && name !== "work") {
    heading.tabIndex = -1;
    heading.focus();
  }
}

export function say(message, isError = false) {
  const line = $("#field-status");
  line.textContent = message;
  line.classList.toggle("error", isError);
}

export function formError(form, message) {
  const line = form.querySelector(".field-error");
  line.textContent = message || "";
}

export function uuid() {
  return crypto.randomUUID();
}

// A name shown as the person wrote it, isolated from the text around it.
export function isolated(text) {
  const element = document.createElement("bdi");
  element.textContent = text || "";
  return element;
}

export function fullName(person) {
  return [person.given_name, person.family_name].filter(Boolean).join(" ");
}
