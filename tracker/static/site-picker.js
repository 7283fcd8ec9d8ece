// The site boxes of long lists (tracker/sites/picker.py): as one types, ask the server for
// the sites whose name holds the text and offer them in the box's datalist. The form sends
// the name; the server finds the site. Without this script, typing the whole name works.
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null, asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var typed = input.value.trim();
      if (typed.length < 2 || typed === asked) { return; }
      timer = setTimeout(function () {
        asked = typed;
        var url = input.dataset.siteLookup;
        url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(typed);
        fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (sites) {
            if (input.value.trim() !== typed) { return; }  // typed on since: a newer ask
            list.replaceChildren.apply(list, sites.map(function (site) {
              var option = document.createElement("option");
              option.value = site.name;
              return option;
            }));
          })
          .catch(function () { /* offline: the whole name still works */ });
      }, 200);
    });
  }
  document.querySelectorAll("input[data-site-lookup]").forEach(attach);
})();
