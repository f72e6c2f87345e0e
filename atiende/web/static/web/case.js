// The case view: live countdowns of the clocks, and htmx error fragments (409 conflict, 400).
//   [data-countdown-to="<ISO datetime>"] shows the time left (or overdue) and is recoloured
//   .risk-ok / .risk-warning (under an hour) / .risk-breached every second.
(function () {
  "use strict";

  var lang = (document.documentElement.lang || "es").slice(0, 2);
  var words = lang === "en"
    ? { left: "left", late: "overdue by", d: "d", h: "h", m: "min", s: "s" }
    : { left: "restan", late: "vencido hace", d: "d", h: "h", m: "min", s: "s" };

  function span(seconds) {
    var d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600);
    var m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    if (d) return d + " " + words.d + " " + h + " " + words.h;
    if (h) return h + " " + words.h + " " + m + " " + words.m;
    return m + " " + words.m + " " + s + " " + words.s;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown-to]").forEach(function (element) {
      var due = Date.parse(element.dataset.countdownTo);
      if (isNaN(due)) return;
      var left = Math.round((due - now) / 1000);
      var risk = left <= 0 ? "risk-breached" : left < 3600 ? "risk-warning" : "risk-ok";
      // A clock the server already marked as warning stays at least that colour.
      if (element.dataset.riskFloor === undefined) {
        element.dataset.riskFloor = element.classList.contains("risk-warning") ? "warning" : "";
      }
      if (risk === "risk-ok" && element.dataset.riskFloor === "warning") risk = "risk-warning";
      if (element.tagName !== "TIME") {
        element.textContent = left <= 0 ? words.late + " " + span(-left) : words.left + " " + span(left);
      }
      element.classList.remove("risk-ok", "risk-warning", "risk-breached");
      element.classList.add(risk);
    });
  }

  tick();
  window.setInterval(tick, 1000);

  // htmx 2 does not swap error responses by default; the case view answers a stale version with
  // 409 and a validation error with 400, both carrying a fragment meant to be shown.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      var feedback = document.getElementById("case-feedback");
      if (feedback) {
        event.detail.target = feedback;
        event.detail.swapOverride = "outerHTML";
      }
    }
  });
})();
