// A PDF asked for on its page (templates/includes/document_state.html), rendered by a task: while the render waits
// or runs, read the page again every 2 s and replace its state (an aria-live region); stop once it is ready or
// failed. Without JavaScript, the "Actualiser" link does the same.
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
