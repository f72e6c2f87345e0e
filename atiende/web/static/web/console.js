// Keyboard shortcuts and small behaviours of the console (no inline scripts: the CSP forbids them).
//   j/k move through rows marked [data-row] (workboxes, search results), Enter/o opens the row,
//   r focuses the reply composer, n the note box, / the search box, g b goes to the workbox,
//   ? opens the help dialog. Keys typed into a field are never taken.
(function () {
  "use strict";

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=true], dialog[open]");
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-row]")); }

  function select(step) {
    var all = rows();
    if (!all.length) return;
    var current = all.indexOf(document.querySelector("[data-row].is-selected"));
    var next = Math.max(0, Math.min(all.length - 1, current + step));
    if (current >= 0) all[current].classList.remove("is-selected");
    all[next].classList.add("is-selected");
    all[next].setAttribute("aria-current", "true");
    if (current >= 0 && current !== next) all[current].removeAttribute("aria-current");
    var link = all[next].querySelector("a[href]");
    (link || all[next]).focus({ preventScroll: false });
  }

  function openSelected() {
    var row = document.querySelector("[data-row].is-selected");
    var link = row && row.querySelector("a[href]");
    if (link) window.location.href = link.href;
  }

  function focusField(selector) {
    var field = document.querySelector(selector);
    if (!field) return false;
    var details = field.closest("details");
    if (details) details.open = true;
    field.focus();
    return true;
  }

  var pendingG = false;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    if (pendingG) {
      pendingG = false;
      if (key === "b") { window.location.href = "/"; event.preventDefault(); }
      return;
    }
    var handled = true;
    if (key === "j") select(1);
    else if (key === "k") select(-1);
    else if (key === "o" || (key === "Enter" && event.target === document.body)) openSelected();
    else if (key === "r") handled = focusField("[data-shortcut=reply]");
    else if (key === "n") handled = focusField("[data-shortcut=note]");
    else if (key === "/") handled = focusField("#q");
    else if (key === "g") pendingG = true;
    else if (key === "?") {
      var help = document.getElementById("shortcuts-help");
      if (help && help.showModal) help.showModal();
    } else handled = false;
    if (handled) event.preventDefault();
  });

  // <select data-autosubmit> submits its form on change (the language picker, filters).
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) event.target.form.requestSubmit();
  });

  // <input type=checkbox data-check-all="name"> toggles every checkbox of that name (bulk actions).
  document.addEventListener("click", function (event) {
    var all = event.target.closest("[data-check-all]");
    if (!all) return;
    document.querySelectorAll("input[type=checkbox][name='" + all.dataset.checkAll + "']")
      .forEach(function (box) { box.checked = all.checked; });
  });

  // Buttons with data-confirm ask before submitting (merges, bulk changes).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
