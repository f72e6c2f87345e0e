// Live updates of the console over one WebSocket (atiende/live/consumers.py explains the protocol).
//
//   body[data-live-url]          where to connect (empty or absent: nothing happens)
//   body[data-live-state]        "open" | "closed", set here (browser tests wait on it)
//   [data-live-refresh]          an element with an id, re-fetched (HX-Request) and swapped
//                                (outerHTML) when an event about its case, team, user or the desk
//                                arrives: data-live-case="<folio>", data-live-team="<id>",
//                                data-live-user="<id>", data-live-desk. Several events within
//                                300 ms make one fetch; a panel holding the focused field waits
//                                until the field is left, so a draft is never lost.
//   [data-live-case]             cases followed by this page (sent as watch_case)
//   [data-presence-for="<folio>"] shows "Ana está respondiendo" (other users only)
//   textarea[data-typing-for="<folio>"][data-typing-mode="reply|note"] sends typing notices
//   #unread                      the unread-notifications badge
//   [data-enable-desktop-notifications] a button that asks for the desktop notification permission
// Texts come from the server in the user's language; this file holds none.
(function () {
  "use strict";

  var body = document.body;
  var url = body && body.dataset.liveUrl;
  if (!url || !window.WebSocket) return;

  var DEBOUNCE_MS = 300;
  var TYPING_EVERY_MS = 4000;       // at most one typing notice per field in this time
  var PRESENCE_TTL_MS = 30000;      // a banner without news for this long goes away
  var PING_EVERY_MS = 45000;
  var MAX_BACKOFF_MS = 30000;

  var socket = null;
  var backoff = 1000;
  var pingTimer = null;
  var myId = null;
  var watched = {};                 // folio -> true, sent on this connection
  var timers = {};                  // element id -> debounce timer
  var waiting = {};                 // element id -> true: refresh when its field loses focus
  var typingSent = {};              // folio -> {mode, at}
  var presence = {};                // folio -> {userId -> {text, until}}

  body.dataset.liveState = "closed";

  // --- connection ------------------------------------------------------------------------------

  function connect() {
    try {
      socket = new WebSocket(url);
    } catch (error) {
      retry();
      return;
    }
    socket.addEventListener("open", function () {
      backoff = 1000;
      watched = {};
      body.dataset.liveState = "open";
      watchPageCases();
      pingTimer = setInterval(function () { send({ ping: 1 }); }, PING_EVERY_MS);
    });
    socket.addEventListener("message", function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (error) { return; }
      handle(message);
    });
    socket.addEventListener("close", function (event) {
      body.dataset.liveState = "closed";
      clearInterval(pingTimer);
      socket = null;
      if (event.code === 4401) return;  // signed out: the next page load starts again
      retry();
    });
  }

  function retry() {
    var delay = backoff + Math.floor(Math.random() * 500);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    setTimeout(connect, delay);
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function watchPageCases() {
    document.querySelectorAll("[data-live-case], [data-typing-for], [data-presence-for]")
      .forEach(function (el) {
        var folio = el.dataset.liveCase || el.dataset.typingFor || el.dataset.presenceFor;
        if (folio && !watched[folio]) {
          watched[folio] = true;
          send({ watch_case: folio });
        }
      });
  }

  // --- messages --------------------------------------------------------------------------------

  function handle(message) {
    if (message.type === "hello") myId = message.user_id;
    else if (message.type === "event") onEvent(message);
    else if (message.type === "presence") onPresence(message);
    else if (message.type === "notification") onNotification(message);
  }

  function concerns(el, message) {
    var d = el.dataset;
    if (el.hasAttribute("data-live-desk")) return true;
    if (d.liveCase && d.liveCase === message.case) return true;
    var teams = (message.teams || [message.team]).map(String);
    var users = (message.users || [message.user]).map(String);
    if (d.liveTeam && teams.indexOf(d.liveTeam) >= 0) return true;
    if (d.liveUser && users.indexOf(d.liveUser) >= 0) return true;
    return false;
  }

  function onEvent(message) {
    var refreshed = false;
    document.querySelectorAll("[data-live-refresh][id]").forEach(function (el) {
      if (concerns(el, message)) {
        schedule(el.id);
        refreshed = true;
      }
    });
    if (refreshed && watched[message.case]) announce(message.text);
  }

  function schedule(id) {
    clearTimeout(timers[id]);
    timers[id] = setTimeout(function () {
      delete timers[id];
      refresh(id);
    }, DEBOUNCE_MS);
  }

  function refresh(id) {
    var el = document.getElementById(id);
    if (!el || !el.dataset.liveRefresh) return;
    var active = document.activeElement;
    if (active && active !== body && el.contains(active) && active.matches("input, textarea, select")) {
      waiting[id] = true;
      return;
    }
    fetch(el.dataset.liveRefresh, {
      credentials: "same-origin",
      headers: { "HX-Request": "true", Accept: "text/html" }
    })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var current = document.getElementById(id);
        if (html === null || !current) return;
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        var fresh = template.content.firstElementChild;
        if (!fresh) return;
        current.replaceWith(fresh);
        if (window.htmx) window.htmx.process(fresh);
        afterSwap();
      })
      .catch(function () {});
  }

  // A panel that waited for its field to lose focus refreshes now.
  document.addEventListener("focusout", function (event) {
    Object.keys(waiting).forEach(function (id) {
      var el = document.getElementById(id);
      if (!el || el.contains(event.target)) {
        delete waiting[id];
        if (el) schedule(id);
      }
    });
  });

  function afterSwap() {
    watchPageCases();
    renderAllPresence();
    updateDesktopButtons();
  }
  document.addEventListener("htmx:afterSettle", afterSwap);

  // --- presence: "Ana está respondiendo" -------------------------------------------------------

  function onPresence(message) {
    if (message.user_id === myId) return;
    var byUser = presence[message.folio] || (presence[message.folio] = {});
    if (message.mode === "stopped") delete byUser[message.user_id];
    else byUser[message.user_id] = { text: message.text, until: Date.now() + PRESENCE_TTL_MS };
    renderPresence(message.folio);
  }

  function renderPresence(folio) {
    var byUser = presence[folio] || {};
    var now = Date.now();
    var texts = [];
    Object.keys(byUser).forEach(function (userId) {
      if (byUser[userId].until < now) delete byUser[userId];
      else texts.push(byUser[userId].text);
    });
    document.querySelectorAll("[data-presence-for]").forEach(function (el) {
      if (el.dataset.presenceFor !== folio) return;
      var text = texts.join(" · ");
      if (el.textContent !== text) el.textContent = text;
      el.hidden = !text;
      el.setAttribute("role", "status");
    });
  }

  function renderAllPresence() { Object.keys(presence).forEach(renderPresence); }
  setInterval(renderAllPresence, 5000);

  // --- typing notices --------------------------------------------------------------------------

  function typingField(target) {
    return target && target.closest ? target.closest("textarea[data-typing-for]") : null;
  }

  document.addEventListener("input", function (event) {
    var field = typingField(event.target);
    if (!field) return;
    var folio = field.dataset.typingFor;
    var mode = field.dataset.typingMode === "note" ? "note" : "reply";
    if (!field.value.trim()) { stopTyping(folio); return; }
    var last = typingSent[folio];
    if (last && last.mode === mode && Date.now() - last.at < TYPING_EVERY_MS) return;
    typingSent[folio] = { mode: mode, at: Date.now() };
    send({ typing: folio, mode: mode });
  });

  function stopTyping(folio) {
    if (!typingSent[folio]) return;
    delete typingSent[folio];
    send({ typing: folio, mode: "stopped" });
  }

  document.addEventListener("focusout", function (event) {
    var field = typingField(event.target);
    if (field) stopTyping(field.dataset.typingFor);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.querySelectorAll) return;
    form.querySelectorAll("textarea[data-typing-for]").forEach(function (field) {
      stopTyping(field.dataset.typingFor);
    });
  });

  // --- notifications ---------------------------------------------------------------------------

  function onNotification(message) {
    var badge = document.getElementById("unread");
    if (badge && typeof message.unread === "number") {
      badge.textContent = message.unread ? String(message.unread) : "";
      badge.hidden = !message.unread;
    }
    announce(message.text);
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try {
      var shown = new Notification(message.title, { tag: "atiende-" + message.id });
      shown.addEventListener("click", function () {
        window.focus();
        if (message.url) window.location.href = message.url;
        shown.close();
      });
    } catch (error) { /* some browsers allow notifications only from a service worker */ }
  }

  function updateDesktopButtons() {
    var supported = "Notification" in window;
    document.querySelectorAll("[data-enable-desktop-notifications]").forEach(function (button) {
      button.hidden = !supported || Notification.permission !== "default";
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-enable-desktop-notifications]");
    if (!button || !("Notification" in window)) return;
    event.preventDefault();
    var asked = Notification.requestPermission(updateDesktopButtons);
    if (asked && asked.then) asked.then(updateDesktopButtons);
  });

  // --- polite announcements for screen readers -------------------------------------------------

  var announcer = document.createElement("div");
  announcer.className = "sr-only";
  announcer.setAttribute("aria-live", "polite");
  announcer.setAttribute("data-live-announcer", "");
  body.appendChild(announcer);

  function announce(text) {
    if (!text) return;
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 50);
  }

  updateDesktopButtons();
  connect();
})();
