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
