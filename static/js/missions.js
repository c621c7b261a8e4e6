// Fiches action (progressive enhancement; every form works without JavaScript).
// - indicator form: picking a catalogue indicator fills label, type, unit, direction and source when empty;
// - fiche form: picking a figure of the diagnostic fills the last empty row of "données chiffrées".
(function () {
  "use strict";

  var data = document.getElementById("indicator-templates");
  var picker = document.getElementById("id_template");
  if (data && picker) {
    var templates = JSON.parse(data.textContent);
    picker.addEventListener("change", function () {
      var t = templates[picker.value];
      if (!t) {
        return;
      }
      ["label", "kind", "unit", "direction", "source"].forEach(function (name) {
        var field = document.getElementById("id_" + name);
        if (field) {
          field.value = t[name];
        }
      });
    });
  }

  var figure = document.getElementById("diagnostic-figure");
  if (figure) {
    figure.addEventListener("change", function () {
      var option = figure.options[figure.selectedIndex];
      if (!option.value) {
        return;
      }
      var total = parseInt(document.getElementById("id_figures-TOTAL_FORMS").value, 10);
      for (var i = total - 1; i >= 0; i--) {
        var label = document.getElementById("id_figures-" + i + "-label");
        if (label && !label.value) {
          label.value = option.dataset.label;
          document.getElementById("id_figures-" + i + "-value").value = option.dataset.value;
          document.getElementById("id_figures-" + i + "-unit").value = option.dataset.unit;
          document.getElementById("id_figures-" + i + "-source").value = option.dataset.source;
          document.getElementById("id_figures-" + i + "-year").value = option.dataset.year;
          document.getElementById("id_figures-" + i + "-diagnostic_indicator").value = option.value;
          label.focus();
          return;
        }
      }
    });
  }
})();

// PDF of the fiches: while the render waits or runs, read the page again every 2 s and replace its state (an
// aria-live region); stop once it is ready or failed. Without JavaScript, the "Actualiser" link does the same.
(function () {
  "use strict";

  var state = document.getElementById("document-state");
  if (!state) {
    return;
  }
  function running(element) {
    var value = element.getAttribute("data-state");
    return value === "pending" || value === "rendering";
  }
  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("document-state");
        if (fresh) {
          state.setAttribute("data-state", fresh.getAttribute("data-state"));
          state.innerHTML = fresh.innerHTML;
        }
        if (running(state)) {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 10000);
      });
  }
  if (running(state)) {
    window.setTimeout(poll, 2000);
  }
})();
