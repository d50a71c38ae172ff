// Calls to Haven's field API, as the enrolled device and the signed-in user.

export class Wipe extends Error {}
export class Refused extends Error {}
// The server read the request and refused it (400, 413): sending it again will not help.
export class Rejected extends Refused {}

function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

export function makeApi(base, device, signInText) {
  return async function api(path, { method = "GET", body } = {}) {
    const headers = { Accept: "application/json" };
    if (device) headers["X-Haven-Device"] = `${device.id}.${device.secret}`;
    const upload = body instanceof FormData; // multipart: the browser sets its boundary
    if (body !== undefined) {
      if (!upload) headers["Content-Type"] = "application/json";
      headers["X-CSRFToken"] = cookie("csrftoken");
    }
    const response = await fetch(base + path, {
      method,
      headers,
      credentials: "same-origin",
      redirect: "error",
      body: body === undefined || upload ? body : JSON.stringify(body),
    });
    let data = {};
    try {
      data = await response.json();
    } catch {
      data = {};
    }
    if (response.status === 410) throw new Wipe(data.detail || "");
    if (response.status === 401 || (response.status === 403 && !data.detail)) throw new Refused(signInText);
    if (response.status === 403 && /credentials|authenticat/i.test(data.detail)) throw new Refused(signInText);
    const reason = data.detail || JSON.stringify(data).slice(0, 300);
    if (response.status === 400 || response.status === 413) throw new Rejected(reason);
    if (!response.ok) throw new Refused(reason);
    return data;
  };
}
