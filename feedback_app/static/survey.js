// The survey page's only script. The score clicked in the email arrives as ?score=N and is
// preselected by the server; here we save it at once with a POST (a GET never writes, because mail
// scanners open every link), so an answer counts even if the person closes the tab. Every later change
// of score is saved the same way. Without script, the visible button sends the same form.
//
// Honest saving: the status line says "saved" only after the server answered that it saved the score
// now chosen; any change clears it ("saving…"), and a failure (an error, no network) says the score is
// not saved yet and that Send will save it.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var submit = form.querySelector("button[type=submit]");

  // ---- the score, saved on every change

  var inFlight = null;   // the save on its way, a promise
  var waiting = false;   // a change came while it was on its way: save again when it is back

  function chosenScore() {
    var checked = form.querySelector("input[name=score]:checked");
    return checked ? checked.value : null;
  }

  function show(state) {
    status.dataset.state = state;
    status.textContent = state ? status.dataset[state] : "";
  }

  function post(score) {
    var body = new URLSearchParams({ score: score, score_only: "1" });
    return fetch(form.action, { method: "POST", body: body, credentials: "omit",
                                headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { saved: false }; })
      .then(function (result) { return result.saved === true; },
            function () { return false; });  // offline, or the network refused
  }

  // One save at a time, in order: two on their way could reach the server in the other order and
  // leave the older score stored under a "saved" for the newer one.
  function save() {
    var score = chosenScore();
    if (score === null) { return; }
    show("saving");
    if (inFlight) { waiting = true; return; }
    inFlight = post(score).then(function (saved) {
      inFlight = null;
      if (waiting) { waiting = false; save(); return; }
      show(saved && chosenScore() === score ? "saved" : "failed");
    });
  }

  function whenIdle() {
    return inFlight ? inFlight.then(whenIdle) : Promise.resolve();
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "score") { save(); }
  });

  form.addEventListener("submit", function (event) {
    if (inFlight) {
      // The full answer must reach the server after the score-only saves, or one of them (arriving
      // late) would put back a score over the one sent now.
      event.preventDefault();
      submit.disabled = true;
      whenIdle().then(function () { form.submit(); });
      return;
    }
    // A second click would only update the same answer, but a disabled button shows it is on its way.
    window.setTimeout(function () { submit.disabled = true; }, 0);
  });

  if (form.dataset.autosave === "1") {
    if (document.visibilityState === "visible") { save(); }
    else {
      document.addEventListener("visibilitychange", function once() {
        if (document.visibilityState === "visible") {
          document.removeEventListener("visibilitychange", once);
          save();
        }
      });
    }
  }

  // ---- the comment's counter: "120 / 5,000 characters", in the page's digits

  var comment = document.getElementById("comment");
  var counter = document.getElementById("comment-count");
  var note = document.getElementById("comment-note");
  if (!comment || !counter) { return; }
  var max = parseInt(counter.dataset.max, 10);
  // Screen readers hear what is left as each of these is passed, not on every key; past the limit the
  // note is shown too, with how far over it is.
  var STEPS = [500, 250, 100, 50, 10, 0];
  var lastStep = -1;

  function localNumber(value) {
    var text = String(value);
    if (counter.dataset.group) { text = text.replace(/\B(?=(\d{3})+(?!\d))/g, counter.dataset.group); }
    return text.replace(/[0-9]/g, function (digit) { return counter.dataset.digits.charAt(+digit); });
  }

  function length(text) {
    // As the server counts: characters (code points), a line break as one.
    return Array.from(text.replace(/\r\n/g, "\n")).length;
  }

  function update() {
    var typed = length(comment.value), left = max - typed;
    counter.textContent = counter.dataset.of.replace("%(typed)s", localNumber(typed))
                                            .replace("%(max)s", localNumber(max));
    counter.classList.toggle("over", left < 0);
    note.classList.toggle("over", left < 0);
    var step = STEPS.filter(function (limit) { return left <= limit; }).length;
    if (left < 0) {
      note.textContent = note.dataset.over.replace("%(num)s", localNumber(-left));
    } else if (step !== lastStep) {
      note.textContent = step ? note.dataset.left.replace("%(num)s", localNumber(left)) : "";
    }
    lastStep = left < 0 ? -1 : step;
  }

  comment.addEventListener("input", update);
  update();
}());
