// Country and language pickers: the browser's own suggestions (a datalist) follow the last
// name typed, so several can be picked in one box ("Syria, Eritrea").
(function () {
  for (const input of document.querySelectorAll("input[data-picker]")) {
    if (input.dataset.pickerReady) continue;
    input.dataset.pickerReady = "1";
    const list = document.getElementById(input.getAttribute("list"));
    if (!list) continue;
    const names = Array.from(list.options, (option) => option.value);
    input.addEventListener("input", () => {
      const value = input.value;
      const cut = Math.max(value.lastIndexOf(","), value.lastIndexOf("،"), value.lastIndexOf(";"));
      const head = cut >= 0 ? value.slice(0, cut + 1).trimEnd() + " " : "";
      list.replaceChildren(...names.map((name) => {
        const option = document.createElement("option");
        option.value = head + name;
        return option;
      }));
    });
  }
})();

// Place pickers: the suggestions are the places whose name holds what was typed, asked
// from the location search a moment after typing stops.
(function () {
  for (const input of document.querySelectorAll("input[data-location-search]")) {
    if (input.dataset.pickerReady) continue;
    input.dataset.pickerReady = "1";
    const list = document.getElementById(input.getAttribute("list"));
    let timer = null;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const text = input.value.trim();
      if (text.length < 2 || text.includes("·")) return;
      timer = setTimeout(async () => {
        const url = `${input.dataset.locationSearch}?q=${encodeURIComponent(text)}`;
        try {
          const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
          if (!response.ok) return;
          const data = await response.json();
          list.replaceChildren(...(data.results || []).map((place) => Object.assign(document.createElement("option"), { value: place.label })));
        } catch {
          // Offline or signed out: the box still takes a name typed in full.
        }
      }, 250);
    });
  }
})();
