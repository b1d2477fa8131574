// ttc web UI: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Type in a box to narrow the list of service checkboxes.
  document.querySelectorAll("[data-filterable]").forEach(function (grid) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "svc-filter";
    input.placeholder = "Find a service";
    input.setAttribute("aria-label", "Find a service in the list");
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      // A service is found by its name or its key (cognito-idp), not by
      // the count of techniques beside it.
      grid.querySelectorAll("label").forEach(function (l) {
        var name = l.querySelector("span"), box = l.querySelector("input");
        var text = ((name ? name.textContent : "") + " " + (box ? box.value : "")).toLowerCase();
        l.hidden = q !== "" && text.indexOf(q) < 0;
      });
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); }
    });
    grid.parentNode.insertBefore(input, grid);
  });

  // "/" jumps to the search box, as in many tools.
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) { return; }
    var q = document.getElementById("f-q") || document.getElementById("top-q");
    if (q) { e.preventDefault(); q.focus(); q.select(); }
  });

  // Expand or collapse every technique of the matrix at once.
  var matrix = document.querySelector(".matrix");
  if (matrix && matrix.querySelector("details")) {
    var bar = document.createElement("p");
    bar.className = "legend";
    [["Expand all", true], ["Collapse all", false]].forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "button secondary";
      btn.textContent = b[0];
      btn.addEventListener("click", function () {
        matrix.querySelectorAll("details").forEach(function (d) { d.open = b[1]; });
      });
      bar.appendChild(btn);
      bar.appendChild(document.createTextNode(" "));
    });
    var scroll = matrix.parentNode;
    scroll.parentNode.insertBefore(bar, scroll);
  }

  // Refuse files over the server's limits (their size together, their
  // number) before uploading them.
  var file = document.getElementById("scan-file");
  if (file) {
    file.addEventListener("change", function () {
      var max = parseInt(file.getAttribute("data-max"), 10);
      var maxFiles = parseInt(file.getAttribute("data-max-files"), 10);
      var files = file.files || [], size = 0, msg = "";
      for (var i = 0; i < files.length; i++) { size += files[i].size; }
      if (maxFiles && files.length > maxFiles) {
        msg = "Choose " + maxFiles + " files at most.";
      } else if (max && size > max) {
        msg = (files.length > 1 ? "The files together are" : "The file is") + " larger than " + file.getAttribute("data-max-text") + ".";
      }
      file.setCustomValidity(msg);
      if (msg) { file.reportValidity(); }
    });
  }
})();
