// @mentions as you type: suggestions from the page's mentions URL (people who can see the
// cycle or idea). Progressive enhancement: without it, typing @[Full Name] works the same.
(() => {
  "use strict";
  const PATTERN = /(^|\s)@([^@\n[\]]{1,40})$/;
  let counter = 0;

  function setup(textarea) {
    const host = textarea.closest("[data-mentions-url]");
    if (!host || textarea.dataset.mentionsReady) return;
    textarea.dataset.mentionsReady = "1";
    const url = host.dataset.mentionsUrl;
    const list = document.createElement("ul");
    const id = `mention-list-${++counter}`;
    list.id = id;
    list.className = "mention-list list-group";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People to mention");
    list.hidden = true;
    textarea.insertAdjacentElement("afterend", list);
    textarea.setAttribute("role", "combobox");
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", id);
    textarea.setAttribute("aria-expanded", "false");
    let items = [];
    let active = -1;
    let timer = null;
    let asked = "";

    function close() {
      list.hidden = true;
      list.replaceChildren();
      items = [];
      active = -1;
      textarea.setAttribute("aria-expanded", "false");
      textarea.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      list.querySelectorAll("[role=option]").forEach((li, i) => {
        li.classList.toggle("active", i === index);
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) textarea.setAttribute("aria-activedescendant", `${id}-${index}`);
    }

    function choose(index) {
      const person = items[index];
      if (!person) return;
      const caret = textarea.selectionStart;
      const before = textarea.value.slice(0, caret);
      const match = before.match(PATTERN);
      if (!match) return close();
      const start = caret - match[2].length - 1;
      const insert = `@[${person.handle}] `;
      textarea.value = textarea.value.slice(0, start) + insert + textarea.value.slice(caret);
      const at = start + insert.length;
      textarea.setSelectionRange(at, at);
      close();
      textarea.focus();
    }

    function show(people) {
      items = people;
      list.replaceChildren();
      if (!people.length) return close();
      people.forEach((person, i) => {
        const li = document.createElement("li");
        li.id = `${id}-${i}`;
        li.className = "list-group-item list-group-item-action";
        li.setAttribute("role", "option");
        li.textContent = person.name;
        const detail = document.createElement("span");
        detail.className = "text-body-secondary small ms-2";
        detail.textContent = person.detail;
        li.appendChild(detail);
        li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      textarea.setAttribute("aria-expanded", "true");
      highlight(0);
    }

    function lookUp() {
      const match = textarea.value.slice(0, textarea.selectionStart).match(PATTERN);
      if (!match) return close();
      const query = match[2].trim();
      if (!query || query === asked) return;
      asked = query;
      fetch(`${url}&q=${encodeURIComponent(query)}`, { credentials: "same-origin",
        headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : []))
        .then((people) => { if (asked === query) show(people); })
        .catch(close);
    }

    textarea.addEventListener("input", () => {
      clearTimeout(timer);
      asked = "";
      timer = setTimeout(lookUp, 150);
    });
    textarea.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % items.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + items.length) % items.length); }
      else if (event.key === "Enter" || event.key === "Tab") { event.preventDefault(); choose(active); }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    textarea.addEventListener("blur", () => setTimeout(close, 150));
  }

  document.querySelectorAll("textarea[data-mentions]").forEach(setup);
  // Reply boxes live in <details>: set them up when opened.
  document.addEventListener("toggle", (event) => {
    event.target.querySelectorAll?.("textarea[data-mentions]").forEach(setup);
  }, true);
})();
