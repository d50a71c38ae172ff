// The fill page while typing: questions appear and disappear as their `relevant` changes,
// and answers a constraint refuses are named at once. The server's scoring engine decides
// (one source of truth); this file only asks it and shows the answer. Without JavaScript
// every question shows and the same checks run when the form is saved.
(function () {
  "use strict";

  const form = document.querySelector("form.assessment[data-check-url]");
  if (!form) return;
  const url = form.dataset.checkUrl;
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  let timer = null;
  let latest = 0;

  // A choice_filter narrows a question's choices to those the answers so far allow: the
  // others are hidden, and unticked so that a hidden choice is never sent.
  function offer(choices) {
    Object.keys(choices || {}).forEach(function (name) {
      const allowed = new Set(choices[name]);
      form.querySelectorAll('input[name="' + name + '"]').forEach(function (input) {
        const keep = allowed.has(input.value);
        if (!keep) input.checked = false;
        const label = input.closest("label");
        if (label) label.hidden = !keep;
      });
    });
  }

  function show(hidden, problems) {
    const hide = new Set(hidden);
    form.querySelectorAll("[data-question]").forEach(function (element) {
      const name = element.dataset.question;
      element.hidden = hide.has(name);
      const live = element.querySelector(":scope > .live-error");
      if (!live) return;
      const messages = problems[name] || [];
      live.textContent = messages.join(" ");
      live.hidden = messages.length === 0;
    });
  }

  function check() {
    const asked = ++latest;
    const body = new FormData(form);
    fetch(url, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        // Only the answer to the latest question counts.
        if (answer && asked === latest) {
          show(answer.hidden, answer.problems);
          offer(answer.choices);
        }
      })
      .catch(function () {
        // Offline or refused: the page stays as it is; saving checks everything anyway.
      });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  }

  const initial = document.getElementById("hidden-questions");
  show(initial ? JSON.parse(initial.textContent) : [], {});
  if (form.querySelector("[data-filtered]")) check();
  form.addEventListener("change", soon);
  form.addEventListener("input", soon);
})();
