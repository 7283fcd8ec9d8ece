/* Measure pages: PNG download of the chart, live percentages in the data grid, upload
   progress for imports. Everything here is an enhancement: the pages work without it. */
(function () {
  "use strict";

  function downloadPng(button) {
    var figure = document.getElementById(button.dataset.chart);
    // The wide drawing, whatever the screen: the picture is for slides and reports.
    var svg = figure && (figure.querySelector("svg.chart-wide") || figure.querySelector("svg"));
    if (!svg) { return; }
    var width = svg.viewBox.baseVal.width, height = svg.viewBox.baseVal.height, scale = 2;
    var source = new XMLSerializer().serializeToString(svg);
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = width * scale;
      canvas.height = height * scale;
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      var link = document.createElement("a");
      link.download = button.dataset.filename || "chart.png";
      link.href = canvas.toDataURL("image/png");
      document.body.appendChild(link);
      link.click();
      link.remove();
    };
    // A data: URL, which the content security policy allows for images.
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(source);
  }

  function wholeNumber(text) {
    text = (text || "").trim();
    return /^\d+$/.test(text) ? parseInt(text, 10) : null;
  }

  function updatePercent(row) {
    var inputs = row.querySelectorAll("input[type=text]");
    var output = row.querySelector(".grid-percent");
    if (!output || inputs.length < 2) { return; }
    var numerator = wholeNumber(inputs[0].value), denominator = wholeNumber(inputs[1].value);
    if (numerator === null || !denominator || numerator > denominator) {
      output.textContent = "";
      return;
    }
    var percent = Math.round(1000 * numerator / denominator) / 10;
    output.textContent = String(percent) + "%";
  }

  function initGrid(form) {
    if (form.dataset.kind !== "proportion") { return; }
    form.addEventListener("input", function (event) {
      var row = event.target.closest(".grid-row");
      if (row) { updatePercent(row); }
    });
  }

  function initUpload(form) {
    var box = document.getElementById(form.dataset.progress);
    if (!box || !window.XMLHttpRequest || !window.FormData) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var bar = box.querySelector("progress"), status = box.querySelector("[role=status]");
      box.hidden = false;
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.responseType = "document";
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round(100 * e.loaded / e.total);
          status.textContent = "Uploaded " + bar.value + "%.";
        }
      });
      request.upload.addEventListener("load", function () {
        bar.removeAttribute("value");  // indeterminate while the server checks the rows
        status.textContent = "Uploaded. Checking every row…";
      });
      request.addEventListener("load", function () {
        // Redirected to the preview: go there. Otherwise the form came back with errors.
        if (request.responseURL && request.responseURL !== form.action) {
          window.location.assign(request.responseURL);
          return;
        }
        var main = request.response && request.response.querySelector("main");
        if (main) {
          document.querySelector("main").replaceWith(main);
          init(main);
        }
      });
      request.addEventListener("error", function () {
        status.textContent = "The upload failed. Check the connection and try again.";
      });
      request.send(new FormData(form));
    });
  }

  function initBusy(form) {
    var busy = false;
    form.addEventListener("submit", function (event) {
      if (busy) { event.preventDefault(); return; }
      var status = form.querySelector("#busy-status");
      if (event.submitter && event.submitter.name === "confirm" && status) {
        busy = true;
        status.textContent = form.dataset.busy;
      }
    });
  }

  function init(root) {
    var menu = root.querySelector("#downloads");
    if (menu) {  // a menu closes on Escape and when you click elsewhere, like any other
      document.addEventListener("click", function (event) {
        if (menu.open && !menu.contains(event.target)) { menu.open = false; }
      });
      menu.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    }
    var png = root.querySelector("#png-download");
    if (png) {
      png.hidden = false;
      png.addEventListener("click", function () { downloadPng(png); });
    }
    root.querySelectorAll("form.data-grid").forEach(initGrid);
    root.querySelectorAll("form[data-progress]").forEach(initUpload);
    root.querySelectorAll("form[data-busy]").forEach(initBusy);
  }

  init(document);
}());
