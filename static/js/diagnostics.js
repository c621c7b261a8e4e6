/* Territory builder: commune autocompletion and in-place refresh of the territory panel.
 * Without this file the page still works: the search form is a GET, every add/remove is a POST form.
 * Strict CSP: no inline script or style; the list is shown and hidden with the `hidden` attribute. */
(function () {
  "use strict";

  var form = document.querySelector("form.commune-search");
  var panel = document.getElementById("territory-panel");
  if (!form || !panel) { return; }

  var input = form.querySelector("#commune-query");
  var list = form.querySelector("#commune-suggestions");
  var searchUrl = form.dataset.searchUrl;
  var csrf = panel.dataset.csrf;
  var items = [];
  var active = -1;
  var timer = null;
  var lastQuery = "";

  function close() {
    list.hidden = true;
    list.innerHTML = "";
    items = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    items.forEach(function (item, i) {
      item.el.classList.toggle("active", i === index);
      item.el.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) { input.setAttribute("aria-activedescendant", items[index].el.id); }
  }

  function render(data) {
    close();
    var entries = [];
    data.communes.forEach(function (c) {
      entries.push({
        kind: "commune", id: c.id, name: c.name,
        text: c.name + " – " + c.insee + (c.postal_codes.length ? ", " + c.postal_codes.join(", ") : "") +
              (c.departement ? " (" + c.departement + ")" : "") + " – " + c.population_label
      });
    });
    data.epcis.forEach(function (e) {
      entries.push({ kind: "epci", id: e.id, name: e.name, text: e.name + " – EPCI, " + e.communes + " communes" });
    });
    if (!entries.length) {
      var empty = document.createElement("li");
      empty.className = "list-group-item text-body-secondary";
      empty.textContent = "Aucune commune ne correspond.";
      list.appendChild(empty);
    }
    entries.forEach(function (entry, i) {
      var li = document.createElement("li");
      li.className = "list-group-item list-group-item-action";
      li.id = "suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.textContent = entry.text;
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
      list.appendChild(li);
      entry.el = li;
      items.push(entry);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function search() {
    var query = input.value.trim();
    if (query.length < 2) { close(); return; }
    lastQuery = query;
    fetch(searchUrl + "?q=" + encodeURIComponent(query), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) { if (query === lastQuery) { render(data); } })
      .catch(function () { close(); });
  }

  function post(url, body) {
    body.append("csrfmiddlewaretoken", csrf);
    panel.setAttribute("aria-busy", "true");
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrf }
    }).then(function (response) { return response.text(); })
      .then(function (html) { panel.innerHTML = html; })
      .finally(function () { panel.removeAttribute("aria-busy"); });
  }

  function choose(index) {
    var entry = items[index];
    if (!entry) { return; }
    var body = new FormData();
    body.append(entry.kind === "epci" ? "epci" : "commune", entry.id);
    close();
    input.value = "";
    post(entry.kind === "epci" ? form.dataset.epciUrl : form.dataset.addUrl, body).then(function () { input.focus(); });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden || !items.length) { return; }
    if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % items.length); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + items.length) % items.length); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(active); }
    else if (event.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { window.setTimeout(close, 150); });

  // Remove, explain, include whole: the panel's own POST forms refresh the panel in place.
  panel.addEventListener("submit", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLFormElement) || target.method.toLowerCase() !== "post") { return; }
    event.preventDefault();
    post(target.action, new FormData(target));
  });
})();
