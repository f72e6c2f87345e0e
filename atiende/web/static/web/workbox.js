// The workbox keeps the cases ticked for a bulk action when the live helper swaps the list
// (#workbox-list is replaced by a fresh copy from the server on every event about it).
(function () {
  "use strict";

  var picked = new Set();

  function boxes() {
    return document.querySelectorAll("#workbox-list input[type=checkbox][name=case]");
  }

  function remember() {
    picked = new Set();
    boxes().forEach(function (box) { if (box.checked) picked.add(box.value); });
  }

  function restore() {
    boxes().forEach(function (box) { if (picked.has(box.value)) box.checked = true; });
  }

  document.addEventListener("change", function (event) {
    if (event.target.closest("#workbox-list")) remember();
  });
  // The header checkbox ticks the rows in a click handler, without change events.
  document.addEventListener("click", function (event) {
    if (event.target.closest("#workbox-list [data-check-all]")) setTimeout(remember, 0);
  });

  var main = document.getElementById("main");
  if (main && window.MutationObserver) {
    new MutationObserver(function () { if (picked.size) restore(); })
      .observe(main, { childList: true, subtree: true });
  }
})();
