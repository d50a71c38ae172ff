// The device's storage (IndexedDB). "meta" holds no personal data (the device's id and
// secret, the wrapped keys, the sync cursor); every case and every queued change is sealed
// with the data key before it is written.
import { openDB, deleteDB } from "idb";
import { open, seal } from "./crypto.js";

const NAME = "haven-field";
let handle = null;

export async function database() {
  if (!handle) {
    handle = await openDB(NAME, 1, {
      upgrade(db) {
        db.createObjectStore("meta");
        db.createObjectStore("cases");
        db.createObjectStore("outbox");
      },
    });
  }
  return handle;
}

export async function getMeta(key) {
  return (await database()).get("meta", key);
}

export async function setMeta(key, value) {
  return (await database()).put("meta", value, key);
}

export async function wipe() {
  if (handle) {
    handle.close();
    handle = null;
  }
  await deleteDB(NAME);
}

// Sealed reads and writes, once the data key is known.
export class Vault {
  constructor(key) {
    this.key = key;
  }

  async putCase(id, value) {
    return (await database()).put("cases", await seal(this.key, value), String(id));
  }

  async deleteCase(id) {
    return (await database()).delete("cases", String(id));
  }

  async allCases() {
    const db = await database();
    const keys = await db.getAllKeys("cases");
    const values = await db.getAll("cases");
    const cases = new Map();
    for (let i = 0; i < keys.length; i += 1) cases.set(keys[i], await open(this.key, values[i]));
    return cases;
  }

  async addOp(op) {
    const seq = ((await getMeta("seq")) || 0) + 1;
    await setMeta("seq", seq);
    return (await database()).put("outbox", { seq, sealed: await seal(this.key, op) }, op.id);
  }

  async ops() {
    const db = await database();
    const rows = await db.getAll("outbox");
    rows.sort((a, b) => a.seq - b.seq);
    return Promise.all(rows.map((row) => open(this.key, row.sealed)));
  }

  async deleteOp(id) {
    return (await database()).delete("outbox", id);
  }
}
