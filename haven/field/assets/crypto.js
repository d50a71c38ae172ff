// Everything stored on the device is encrypted with one data key (AES-GCM, 256 bits). The
// data key is kept only wrapped: by a key derived from the passphrase (PBKDF2, slow on
// purpose) and by the device's recovery key, which only the server holds.

const ITERATIONS = 600000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function randomBytes(n) {
  return crypto.getRandomValues(new Uint8Array(n));
}

export async function passphraseKey(passphrase, salt) {
  const material = await crypto.subtle.importKey("raw", encoder.encode(passphrase), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations: ITERATIONS },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["wrapKey", "unwrapKey"],
  );
}

export async function recoveryKey(base64) {
  const raw = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["wrapKey", "unwrapKey"]);
}

export function newDataKey() {
  return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
}

export async function wrap(dataKey, wrappingKey) {
  const iv = randomBytes(12);
  const data = await crypto.subtle.wrapKey("raw", dataKey, wrappingKey, { name: "AES-GCM", iv });
  return { iv, data };
}

// Throws when the wrapping key is wrong (AES-GCM authenticates): a wrong passphrase.
export function unwrap(wrapped, wrappingKey) {
  return crypto.subtle.unwrapKey(
    "raw", wrapped.data, wrappingKey, { name: "AES-GCM", iv: wrapped.iv },
    { name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"],
  );
}

export async function seal(dataKey, value) {
  const iv = randomBytes(12);
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, dataKey, encoder.encode(JSON.stringify(value)));
  return { iv, data };
}

export async function open(dataKey, sealed) {
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv }, dataKey, sealed.data);
  return JSON.parse(decoder.decode(plain));
}
