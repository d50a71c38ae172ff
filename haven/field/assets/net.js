// Calls to Haven's field API, as the enrolled device and the signed-in user.

export class Wipe extends Error {}
export class Refused extends Error {}

function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

export function makeApi(base, device, signInText) {
  return async function api(path, { method = "GET", body } = {}) {
    const headers = { Accept: "application/json" };
    if (device) headers["X-Haven-Device"] = `${device.id}.${device.secret}`;
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["X-CSRFToken"] = cookie("csrftoken");
    }
    const response = await fetch(base + path, {
      method,
      headers,
      credentials: "same-origin",
      redirect: "error",
      body: body === undefined ? undefined : JSON.stringify(body),
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
    if (!response.ok) throw new Refused(data.detail || JSON.stringify(data).slice(0, 300));
    return data;
  };
}
