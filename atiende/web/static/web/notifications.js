// Keeps the "Avisos" badge current without reloading: service-level warnings and breaches
// arrive as notifications while an agent works (SL4). live.js updates it from the WebSocket; this
// poll only stands in while the socket is down. A failed poll is ignored; the next one tries again.
(function () {
  var badge = document.getElementById("unread");
  if (!badge || !window.fetch) return;
  function refresh() {
    if (document.body.dataset.liveState === "open") return;  // pushed by live.js
    fetch(badge.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        badge.textContent = data.unread || "";
        badge.hidden = !data.unread;
      })
      .catch(function () {});
  }
  setInterval(refresh, 20000);
})();
