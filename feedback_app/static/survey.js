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
  var pendingSave = null;

  form.addEventListener("submit", function (event) {
    if (pendingSave) {
      // The full answer must reach the server after the score-only save, or that save (arriving
      // late) would put back the clicked score over the one chosen since.
      event.preventDefault();
      submit.disabled = true;
      pendingSave.then(function () { pendingSave = null; form.submit(); });
      return;
    }
    // A second click would only update the same answer, but a disabled button shows it is on its way.
    window.setTimeout(function () { submit.disabled = true; }, 0);
  });

  function saveScore() {
    var checked = form.querySelector("input[name=score]:checked");
    if (!checked) { return; }
    var body = new URLSearchParams({ score: checked.value, score_only: "1" });
    pendingSave = fetch(form.action, { method: "POST", body: body, credentials: "omit",
                                       headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (result) { if (result.saved) { status.textContent = status.dataset.saved; } })
      .catch(function () { /* the visible button still sends everything */ })
      .then(function () { pendingSave = null; });
  }

  if (form.dataset.autosave === "1") {
    if (document.visibilityState === "visible") { saveScore(); }
    else {
      document.addEventListener("visibilitychange", function once() {
        if (document.visibilityState === "visible") {
          document.removeEventListener("visibilitychange", once);
          saveScore();
        }
      });
    }
  }
}());
