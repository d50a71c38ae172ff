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
