/* Supervisor console: drag a case card onto an agent to reassign it; keep the live board from
   replacing itself while the supervisor is choosing in one of its forms. Without JS the card's
   own form (select + "Reasignar") does the same. */
(function () {
  "use strict";

  var dragged = null;

  function board() { return document.getElementById("supervisor-board"); }

  function cardOf(node) { return node && node.closest ? node.closest("[data-case-folio]") : null; }
  function dropOf(node) { return node && node.closest ? node.closest("[data-drop-agent]") : null; }

  function reassign(card, username) {
    var form = card.querySelector("form[data-reassign-form]");
    if (!form) { return; }
    var select = form.querySelector("select[name=assignee]");
    var known = select && Array.prototype.some.call(select.options, function (o) {
      return o.value === username;
    });
    if (known) {
      select.value = username;
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      return;
    }
    // Not a member of the case's team: let the server say so, in the board's own words.
    var values = {};
    new FormData(form).forEach(function (value, key) { values[key] = value; });
    values.assignee = username;
    if (window.htmx) {
      window.htmx.ajax("POST", form.action, { target: "#supervisor-board", swap: "outerHTML", values: values });
    }
  }

  document.addEventListener("dragstart", function (event) {
    var card = cardOf(event.target);
    if (!card) { return; }
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-case-folio"));
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("is-dragging"); }
    dragged = null;
    document.querySelectorAll(".is-drop-target").forEach(function (el) { el.classList.remove("is-drop-target"); });
  });

  document.addEventListener("dragover", function (event) {
    var zone = dropOf(event.target);
    if (!dragged || !zone) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    zone.classList.add("is-drop-target");
  });

  document.addEventListener("dragleave", function (event) {
    var zone = dropOf(event.target);
    if (zone && !zone.contains(event.relatedTarget)) { zone.classList.remove("is-drop-target"); }
  });

  document.addEventListener("drop", function (event) {
    var zone = dropOf(event.target);
    if (!dragged || !zone) { return; }
    event.preventDefault();
    zone.classList.remove("is-drop-target");
    reassign(dragged, zone.getAttribute("data-drop-agent"));
  });

  // The 30-second poll must not swap the board under a half-filled form or a drag.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var b = board();
    if (!b || event.detail.elt !== b) { return; }
    var active = document.activeElement;
    var busy = dragged || (active && b.contains(active) && /^(SELECT|INPUT|TEXTAREA)$/.test(active.tagName));
    if (busy) { event.preventDefault(); }
  });
})();
