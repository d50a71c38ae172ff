// Assessments on the device: the form engine (ODK Web Forms, the same bundle as the fill
// page online) is loaded when first needed and kept by the service worker for offline use.
import { $, SETTINGS, root, show, state, t, uuid } from "./state.js";

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

// A phone's photo (4,000 pixels and more on its long side) is made at most this many pixels
// before it waits on the device: a tenth of the bytes, still legible for a document.
const LONGEST_SIDE = 1600;

async function smaller(file) {
  if (!/^image\/(jpeg|png|webp)$/.test(file.type)) return file;
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return file; // not an image the browser can read: the server says what it is
  }
  const scale = LONGEST_SIDE / Math.max(bitmap.width, bitmap.height);
  if (scale >= 1) {
    bitmap.close();
    return file;
  }
  const canvas = new OffscreenCanvas(Math.round(bitmap.width * scale), Math.round(bitmap.height * scale));
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const made = await canvas.convertToBlob({ type: file.type, quality: 0.85 });
  return made.size < file.size ? made : file;
}

function base64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",")[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** The files an instance names, made ready to wait on the device (sealed with the rest of
 * the change) and to be sent ahead of it: [{id, name, type, data (base64)}]. */
export async function packFiles(files) {
  const packed = [];
  for (const { name, file } of files) {
    const kept = await smaller(file);
    if (kept.size > SETTINGS.files_max_bytes) {
      const size = (kept.size / 1048576).toFixed(1);
      // The engine names files by the time they were taken: the size tells which one.
      throw new Error(t("assessment_file_too_large", { size, limit: Math.floor(SETTINGS.files_max_bytes / 1048576) }));
    }
    packed.push({ id: uuid(), name, type: kept.type, data: await base64(kept) });
  }
  return packed;
}

/** Shows the form; `onSend(xml, files)` gets the answers and their files (packed) once the
 * engine finds nothing wrong. */
export async function fillAssessment(form, onSend) {
  close();
  $("#assess-title").textContent = form.title;
  const container = $("#assess-container");
  const problem = $("#assess-error");
  container.replaceChildren();
  problem.textContent = "";
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
    onSubmit: async (xml, files) => {
      problem.textContent = "";
      let packed;
      try {
        packed = await packFiles(files || []);
      } catch (error) {
        problem.textContent = error.message; // the form stays open: another file can be chosen
        problem.scrollIntoView({ block: "center" });
        return;
      }
      if (await onSend(xml, packed)) close();
    },
  });
}

export function close() {
  if (shown) shown.unmount();
  shown = null;
}
