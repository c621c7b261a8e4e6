// Funding simulator: recompute as the person changes a parameter (progressive enhancement).
// Without JavaScript the GET form and its "Calculer" button do the same with a full page load.
(function () {
  "use strict";
  var form = document.getElementById("simulator-form");
  var results = document.getElementById("simulation-results");
  if (!form || !results || !window.fetch || !window.DOMParser) {
    return;
  }
  var timer = null;
  var pending = null;

  function refresh() {
    var query = new URLSearchParams(new FormData(form)).toString();
    var url = form.getAttribute("action") + "?" + query;
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    results.setAttribute("aria-busy", "true");
    fetch(url, { headers: { "X-Requested-With": "fetch" }, signal: pending.signal, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("simulation-results");
        var freshForm = doc.getElementById("simulator-form");
        if (fresh) {
          results.innerHTML = fresh.innerHTML;
        }
        // Show the form's error messages (if any) without losing focus in the field being typed in.
        if (freshForm) {
          form.querySelectorAll(".invalid-feedback, .alert").forEach(function (node) { node.remove(); });
          freshForm.querySelectorAll(".alert").forEach(function (node) { form.prepend(node); });
        }
        window.history.replaceState(null, "", url);
        results.setAttribute("aria-busy", "false");
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          form.submit();
        }
      });
  }

  form.addEventListener("change", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 150);
  });
  form.addEventListener("input", function (event) {
    if (event.target.type === "number") {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 500);
    }
  });
}());
