// The survey page's only script. The score clicked in the email arrives as ?score=N and is
// preselected by the server; here we save it at once with a POST (a GET never writes, because mail
// scanners open every link), so an answer counts even if the person closes the tab. Without script,
// the visible button sends the same form.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var submit = form.querySelector("button[type=submit]");

  form.addEventListener("submit", function () {
    // A second click while the first POST is on its way would only update the same answer,
    // but disabling the button keeps people from wondering whether it worked.
    window.setTimeout(function () { submit.disabled = true; }, 0);
  });

  function saveScore() {
    var checked = form.querySelector("input[name=score]:checked");
    if (!checked) { return; }
    var body = new URLSearchParams({ score: checked.value, score_only: "1" });
    fetch(form.action, { method: "POST", body: body, headers: { "Accept": "application/json" }, credentials: "omit" })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        if (result.saved) {
          status.textContent = status.dataset.saved;
          form.dataset.saved = "1";
        }
      })
      .catch(function () { /* the visible button still sends everything */ });
  }

  if (form.dataset.autosave === "1") {
    if (document.visibilityState === "visible") { saveScore(); }
    else { document.addEventListener("visibilitychange", function once() {
      if (document.visibilityState === "visible") { document.removeEventListener("visibilitychange", once); saveScore(); }
    }); }
  }
}());
