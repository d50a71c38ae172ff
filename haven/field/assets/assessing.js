// Assessments on the device: the form engine (ODK Web Forms, the same bundle as the fill
// page online) is loaded when first needed and kept by the service worker for offline use.
import { $, root, show, state, t } from "./state.js";

let shown = null;

/** The case's form picker and its assessments waiting to be sent. */
export function prepareAssessments(record, ref) {
  const forms = ref.forms || [];
  const select = $("#assess-select");
  select.replaceChildren(new Option(t("choose"), ""), ...forms.map((f) => new Option(f.title, String(f.id))));
  $("#assess-start").hidden = !forms.length;
  $("#assess-none").hidden = Boolean(forms.length);
  const list = $("#case-assessments");
  list.replaceChildren();
  for (const op of (record.pending || []).filter((p) => p.kind === "assessment.submit")) {
    list.append(Object.assign(document.createElement("li"), { textContent: `${op.title} · ${t("state_waiting")}` }));
  }
  for (const done of record.bundle.assessments || []) {
    const bands = done.bands.map(([name, band]) => `${name}: ${band}`).join(", ");
    list.append(Object.assign(document.createElement("li"), { textContent: `${done.submitted_on} · ${done.title}${bands ? " · " + bands : ""}` }));
  }
  if (!list.children.length) list.append(Object.assign(document.createElement("li"), { textContent: t("no_assessments") }));
}

export function chosenForm() {
  const id = Number($("#assess-select").value);
  return (state.reference?.forms || []).find((f) => f.id === id) || null;
}

/** Shows the form; `onSend(xml)` gets the answers once the engine finds nothing wrong. */
export async function fillAssessment(form, onSend) {
  close();
  $("#assess-title").textContent = form.title;
  const container = $("#assess-container");
  container.replaceChildren();
  show("assess");
  let engine;
  try {
    engine = await import(root.dataset.forms);
  } catch {
    container.textContent = t("assessment_engine_missing");
    return;
  }
  shown = await engine.mountForm(container, {
    formXml: form.xform,
    media: form.media || {},
    language: document.documentElement.lang,
    onSubmit: async (xml) => {
      if (await onSend(xml)) close();
    },
  });
}

export function close() {
  if (shown) shown.unmount();
  shown = null;
}
