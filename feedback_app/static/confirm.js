// Asks before a destructive or irreversible form is sent: any form with data-confirm="question". The
// question shows in the page's <dialog id="confirm-dialog"> (its confirm button reads as the form's own
// button, Cancel has the focus, Escape cancels); where <dialog> is missing, window.confirm asks instead.
// Without script the form is simply sent, as every such action also explains itself on its page.
(function () {
  "use strict";
  var dialog = document.getElementById("confirm-dialog");

  function ask(question, action, answer) {
    if (!dialog || typeof dialog.showModal !== "function") {
      answer(window.confirm(question));
      return;
    }
    var yes = dialog.querySelector("button[value=confirm]");
    dialog.querySelector("#confirm-question").textContent = question;
    yes.textContent = action || yes.dataset.defaultLabel;
    dialog.returnValue = "";
    dialog.addEventListener("close", function () { answer(dialog.returnValue === "confirm"); }, { once: true });
    dialog.showModal();
  }

  // Capturing, so the question comes before any other script acts on the submission.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (!question || form.dataset.confirmed === "yes") { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter || null;
    ask(question, submitter && submitter.textContent.trim(), function (confirmed) {
      if (!confirmed) { return; }
      form.dataset.confirmed = "yes";  // the submission below passes this listener once
      if (typeof form.requestSubmit === "function") { form.requestSubmit(submitter); } else { form.submit(); }
      delete form.dataset.confirmed;
    });
  }, true);
}());
