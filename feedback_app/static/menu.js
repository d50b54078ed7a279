// The team's navigation on a narrow screen: folded behind the "Menu" button, which says whether it is open
// (aria-expanded). Without this script the links stay visible and wrap; wide screens never fold them.
(function () {
  "use strict";
  var toggle = document.querySelector(".menu-toggle");
  var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!menu) { return; }

  function show(open) {
    toggle.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  }

  toggle.hidden = false;
  toggle.closest(".topbar").classList.add("foldable");
  toggle.addEventListener("click", function () { show(toggle.getAttribute("aria-expanded") !== "true"); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.classList.contains("open")) {
      show(false);
      toggle.focus();
    }
  });
}());
