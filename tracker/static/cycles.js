// Progressive enhancement for cycle pages: a print button (the page prints without it too).
document.querySelectorAll(".js-print").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
