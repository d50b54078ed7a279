// Keyboard triage: j/k (or ↓/↑) move between verbatims, c confirms, 1–9 sets that type and saves,
// x ticks the verbatim for "link to a fix" (the bar below the list says how many are ticked).
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".triage-item"));
  if (!items.length) { return; }
  var current = Math.max(0, items.findIndex(function (li) { return "#" + li.id === window.location.hash; }));
  var counter = document.getElementById("picked-count");
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".pick-box"));

  function focus(index) {
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (li, i) { li.classList.toggle("current", i === current); });
    items[current].focus();
  }

  function showCount() {
    if (!counter) { return; }
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    // The words live in the page (data-*) so they are translated with the rest of it.
    counter.textContent = ticked ? counter.dataset.some.replace("%d", ticked) : counter.dataset.none;
    items.forEach(function (li) {
      var box = li.querySelector(".pick-box");
      li.classList.toggle("picked", Boolean(box && box.checked));
    });
  }

  boxes.forEach(function (box) { box.addEventListener("change", showCount); });

  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var item = items[current];
    if (event.key === "j" || event.key === "ArrowDown") { focus(current + 1); event.preventDefault(); }
    else if (event.key === "k" || event.key === "ArrowUp") { focus(current - 1); event.preventDefault(); }
    else if (event.key === "c") {
      var confirm = item.querySelector("button.confirm");
      if (confirm) { confirm.click(); }
    } else if (event.key === "x") {
      var box = item.querySelector(".pick-box");
      if (box) { box.checked = !box.checked; showCount(); }
    } else if (/^[1-9]$/.test(event.key)) {
      var select = item.querySelector("form.correct select");
      var option = select && select.options[parseInt(event.key, 10) - 1];
      if (option) { select.value = option.value; select.form.submit(); }
    }
  });
  showCount();
  focus(current);
}());
