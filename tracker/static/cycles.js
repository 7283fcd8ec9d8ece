// Progressive enhancement for cycle pages: a print button (the page prints without it too),
// the worksheet's stepper opening the stage it points to, and a searchable change-idea picker.
document.querySelectorAll(".js-print").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});

document.querySelectorAll(".worksheet-stepper a").forEach((link) => {
  link.addEventListener("click", () => {
    const stage = document.querySelector(link.getAttribute("href"));
    if (stage && stage.tagName === "DETAILS") { stage.open = true; }
  });
});

// The change-idea picker: a search box above the list filters it as you type (the list is
// long in a mature collaborative). Without JavaScript the plain list works as before.
function searchableSelect(select) {
  const label = document.createElement("label");
  label.className = "form-label small mb-1 d-block";
  label.htmlFor = `${select.id}-search`;
  label.textContent = "Search the change ideas";
  const box = document.createElement("input");
  box.type = "search";
  box.id = `${select.id}-search`;
  box.className = "form-control mb-1";
  box.autocomplete = "off";
  box.setAttribute("aria-controls", select.id);
  const status = document.createElement("div");
  status.className = "form-text mt-0 mb-1";
  status.setAttribute("role", "status");
  select.before(label, box, status);
  const options = [...select.options].filter((o) => o.value !== "");
  box.addEventListener("input", () => {
    const words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    options.forEach((option) => {
      const text = option.text.toLowerCase();
      const match = words.every((w) => text.includes(w));
      option.hidden = !match;
      option.disabled = !match && !option.selected;  // browsers that show hidden options
      if (match) { shown += 1; }
    });
    // While searching, the matches show as an open list to tap; empty search: a dropdown.
    select.size = words.length ? Math.min(Math.max(shown + 1, 2), 8) : 0;
    status.textContent = words.length
      ? `${shown} ${shown === 1 ? "idea matches" : "ideas match"}: choose from the list below.`
      : "";
  });
}
document.querySelectorAll(".idea-picker select").forEach(searchableSelect);
