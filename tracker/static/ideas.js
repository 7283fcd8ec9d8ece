// The duplicate guard: while a new idea's title is typed, show similar existing ideas.
(() => {
  const form = document.querySelector(".idea-form");
  const title = form && form.querySelector("#title");
  // Live suggestions go in their own element: the server's list (with its "create anyway"
  // box) stays.
  const box = document.getElementById("similar-live");
  if (!title || !box) return;
  let timer;
  title.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const params = new URLSearchParams({ title: title.value });
      if (form.dataset.exclude) params.set("exclude", form.dataset.exclude);
      const response = await fetch(`${form.dataset.similarUrl}?${params}`);
      if (!response.ok) return;
      const ideas = await response.json();
      box.replaceChildren();
      if (!ideas.length) return;
      const alert = document.createElement("div");
      alert.className = "alert alert-info";
      const lead = document.createElement("p");
      lead.className = "mb-1";
      lead.textContent = "Similar ideas already exist. Could you build on one of them?";
      const list = document.createElement("ul");
      list.className = "mb-0";
      for (const idea of ideas) {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = idea.url;
        link.textContent = idea.title;
        item.append(link);
        list.append(item);
      }
      alert.append(lead, list);
      box.append(alert);
    }, 300);
  });
})();
