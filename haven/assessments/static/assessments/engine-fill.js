// The fill page with the form engine that the offline app uses too (ODK Web Forms), so a
// form behaves the same online and offline. Once the engine shows the form, the page's own
// form (kept for browsers without JavaScript) steps aside. The server checks and scores
// what the engine sends; its problems are listed above the form and nothing typed is lost.
const box = document.getElementById("engine-fill");
const serverForm = document.querySelector("form.assessment");
const token = serverForm.querySelector("input[name=csrfmiddlewaretoken]").value;
const status = document.getElementById("engine-status");
const problems = document.getElementById("engine-problems");
const text = (id) => JSON.parse(document.getElementById(id).textContent);
const kept = new Set(text("form-files").map((file) => file.name));

async function send(instance, submit, files = []) {
  const body = new FormData();
  body.append("instance", instance);
  // The photos and recordings the answers name, each under the name the answer gives it;
  // those the server keeps already are not sent again.
  for (const { name, file } of files) {
    if (!kept.has(name)) body.append("attachment", file, name);
  }
  body.append("version", box.dataset.version);
  body.append("submit", submit ? "1" : "0");
  const response = await fetch(box.dataset.saveUrl, {
    method: "POST",
    body,
    headers: { "X-CSRFToken": token },
    credentials: "same-origin",
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    status.textContent = answer.error || response.statusText;
    return;
  }
  box.dataset.version = answer.version;
  for (const { name } of files) kept.add(name);
  if (answer.submitted) {
    window.location.assign(answer.url);
    return;
  }
  const list = problems.querySelector("ul");
  list.replaceChildren(
    ...answer.problems.map((p) => {
      const item = document.createElement("li");
      const name = document.createElement("bdi");
      name.textContent = p.row ? `${p.question} (${p.row})` : p.question;
      item.append(name, `: ${p.message}`);
      return item;
    }),
  );
  problems.hidden = !answer.problems.length;
  status.textContent = submit ? "" : box.dataset.saved || "";
}

async function start() {
  let handle;
  try {
    const engine = await import(box.dataset.engine);
    handle = await engine.mountForm(document.getElementById("engine-form"), {
      formXml: text("form-xform"),
      instanceXml: text("form-instance"),
      files: text("form-files"),
      media: text("form-media"),
      language: document.documentElement.lang,
      onSubmit: (xml, files) => send(xml, true, files),
    });
  } catch {
    document.getElementById("engine-form").replaceChildren();
    return; // the page's own form stays
  }
  box.havenForm = handle;
  serverForm.hidden = true;
  box.hidden = false;
  document.getElementById("engine-save").addEventListener("click", async () => {
    const { xml, files } = await handle.instanceWithFiles();
    await send(xml, false, files);
  });
}

start();
