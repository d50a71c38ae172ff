// Sync: send the queued changes, then take the slice's changes in pages. A sync cut halfway
// resumes where it stopped: changes leave the queue only once the server has answered them,
// and the pull's position is saved after every page.
import { getMeta, setMeta } from "./store.js";
import { Rejected } from "./net.js";
import { $, state, t } from "./state.js";

const CHUNK = 100;

function progress(value, text) {
  $("#sync-progress").hidden = value === null;
  if (value !== null) $("#sync-bar").value = value;
  $("#sync-step").textContent = text || "";
}

export async function sync(api) {
  const counts = { applied: 0, conflict: 0, refused: 0, waiting: 0 };
  await api("devices/status/");
  await send(api, counts);
  await receive(api);
  progress(null);
  return counts;
}

async function send(api, counts) {
  const ops = await state.vault.ops();
  for (const record of state.cases.values()) record.notices = [];
  for (let start = 0; start < ops.length; start += CHUNK) {
    const chunk = ops.slice(start, start + CHUNK);
    progress(Math.round((100 * start) / Math.max(ops.length, 1)) / 2, t("sending", { n: ops.length }));
    const sent = [];
    for (const op of chunk) sent.push(op.files ? { ...op, files: await sendFiles(api, op) } : op);
    const answer = await api("push/", { method: "POST", body: { operations: sent } });
    for (const result of answer.results) {
      const op = chunk.find((o) => o.id === result.id);
      counts[result.status] = (counts[result.status] || 0) + 1;
      if (!op) continue;
      if (result.status !== "waiting") await state.vault.deleteOp(op.id);
      await note(op, result);
    }
  }
}

// A change's files go first, each in its own upload (the server keeps them until the change
// names them, and takes one sent twice once); the change then travels without them. A file
// the server refuses is left out: the answers arrive as a draft saying which file is missing.
async function sendFiles(api, op) {
  for (const file of op.files) {
    const body = new FormData();
    body.append("id", file.id);
    const bytes = Uint8Array.from(atob(file.data || ""), (c) => c.charCodeAt(0));
    body.append("file", new Blob([bytes], { type: file.type || "" }), file.name);
    try {
      await api("files/", { method: "POST", body });
    } catch (error) {
      if (!(error instanceof Rejected)) throw error;
    }
  }
  return op.files.map(({ id, name }) => ({ id, name }));
}

// What the answer means for the case on the device.
async function note(op, result) {
  const key = op.kind === "register" ? op.ref : String(op.case);
  const record = state.cases.get(key);
  if (!record) return;
  if (op.kind === "register" && result.status === "applied") {
    // The server's copy, with its number, arrives in the pull.
    state.cases.delete(key);
    await state.vault.deleteCase(key);
    if (result.duplicates && result.duplicates.length) state.duplicates.add(String(result.case));
    return;
  }
  if (result.status !== "waiting") record.pending = (record.pending || []).filter((p) => p.id !== op.id);
  if (result.status === "conflict" || result.status === "refused") {
    record.notices = [...(record.notices || []), { state: result.status, reason: result.reason }];
  }
  await state.vault.putCase(key, record);
}

async function receive(api) {
  const cursor = (await getMeta("cursor")) || {};
  let position = (await getMeta("pull")) || { since: cursor.since || "", until: "", after: 0 };
  let received = 0;
  const remaining = new Set((await state.vault.ops()).map((op) => op.id));
  for (;;) {
    const query = new URLSearchParams({ after: String(position.after) });
    if (position.since) query.set("since", position.since);
    if (position.until) query.set("until", position.until);
    const page = await api("pull/?" + query.toString());
    if (page.reference) {
      state.reference = page.reference;
      await setMeta("reference", page.reference);
    }
    for (const bundle of page.records) {
      const key = String(bundle.id);
      const before = state.cases.get(key);
      const record = {
        bundle,
        pending: ((before && before.pending) || []).filter((op) => remaining.has(op.id)),
        notices: before ? before.notices || [] : [],
        duplicate: state.duplicates.has(key) || (before && before.duplicate) || false,
      };
      state.cases.set(key, record);
      await state.vault.putCase(key, record);
    }
    received += page.records.length;
    progress(50 + Math.min(49, received / 10), t("receiving", { n: received }));
    position = { since: position.since, until: page.until, after: page.after };
    await setMeta("pull", position);
    if (!page.more) {
      const keep = new Set(page.keep.map(String));
      for (const key of [...state.cases.keys()]) {
        if (key.startsWith("local:") || keep.has(key)) continue;
        state.cases.delete(key);
        await state.vault.deleteCase(key);
      }
      await setMeta("cursor", { since: page.until });
      await setMeta("pull", null);
      await setMeta("lastSync", Date.now());
      return;
    }
  }
}
