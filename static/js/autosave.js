// Autosave of questionnaire answers: every change is POSTed at once (question, value, base_version).
// A failed save stays in the page and in this device's localStorage and is retried with backoff until
// it goes through; a 409 shows the newer value and who wrote it and lets the user choose; a 400/403/404
// shows the server's message next to the question. While the server is away (503: the database restarting,
// a deploy) the status says so in the server's words and the next try waits at least its Retry-After.
// Reusable: any element with data-autosave-url and .entry-q[data-question][data-version] children (the
// respondent-link page can include it too).
(function () {
  "use strict";
  var root = document.querySelector("[data-autosave-url]");
  if (!root) return;
  var url = root.dataset.autosaveUrl;
  var T = root.dataset;
  var storeKey = "kotan-autosave:" + url;
  var summary = document.querySelector("[data-autosave-summary]");
  var answeredEl = document.querySelector("[data-answered]");
  var states = {};

  function csrfToken() {
    var input = root.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) return input.value;
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function loadStore() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { return {}; }
  }
  function writeStore(store) {
    try {
      if (Object.keys(store).length) window.localStorage.setItem(storeKey, JSON.stringify(store));
      else window.localStorage.removeItem(storeKey);
    } catch (e) { /* private mode or full: the page itself still keeps the value */ }
  }
  function remember(st, value) {
    var store = loadStore();
    store[st.id] = { value: value, base: st.version };
    writeStore(store);
  }
  function forget(st) {
    var store = loadStore();
    delete store[st.id];
    writeStore(store);
  }

  function valueOf(st) {
    var text = st.el.querySelector("input[type=text], input[type=number]");
    if (text) return text.value.trim();
    var checked = st.el.querySelector("input[type=radio]:checked");
    return checked ? checked.value : "";
  }
  function setValue(st, value) {
    var text = st.el.querySelector("input[type=text], input[type=number]");
    if (text) { text.value = value; return; }
    st.el.querySelectorAll("input[type=radio]").forEach(function (r) { r.checked = r.value === value; });
  }

  function labelOf(st) {
    var checked = st.el.querySelector("input[type=radio]:checked");
    if (checked) {
      var label = st.el.querySelector("label[for='" + checked.id + "']");
      return label ? label.textContent.trim() : checked.value;
    }
    return valueOf(st);
  }

  function setStatus(st, text, tone) {
    st.status.textContent = text;
    st.status.className = "entry-status small " + (tone ? "text-" + tone : "text-muted");
  }
  function setError(st, text) { st.error.textContent = text || ""; }

  function refresh() {
    var pending = 0, answered = 0, invalid = 0;
    Object.keys(states).forEach(function (id) {
      var st = states[id];
      if (st.unsaved || st.sending || st.conflict) pending += 1;
      else if (st.invalid) invalid += 1;
      if (valueOf(st) !== "") answered += 1;
      if (st.clear) st.clear.hidden = valueOf(st) === "";
    });
    if (answeredEl) answeredEl.textContent = answered;
    if (summary) {
      var parts = [];
      if (pending) parts.push(pending + " " + T.tPending);
      if (invalid) parts.push(invalid + " " + T.tInvalid);
      summary.textContent = parts.length ? parts.join(" · ") : T.tAllSaved;
      summary.className = parts.length ? "small text-warning-emphasis fw-semibold" : "small text-success";
    }
    return pending;
  }

  function retryLater(st, text, minDelay) {
    st.attempt = Math.min(st.attempt + 1, 6);
    var delay = Math.min(30000, 1000 * Math.pow(2, st.attempt - 1)); // 1, 2, 4, 8, 16, 30 s
    if (minDelay) delay = Math.min(60000, Math.max(delay, minDelay));
    setStatus(st, text || T.tRetry, "danger");
    clearTimeout(st.timer);
    st.timer = setTimeout(function () { send(st); }, delay);
  }

  function send(st) {
    clearTimeout(st.timer);
    if (st.sending) { st.dirty = true; return; }
    st.sending = true;
    st.dirty = false;
    st.unsaved = true;
    var value = valueOf(st);
    remember(st, value);
    setStatus(st, T.tSaving);
    refresh();
    var body = new URLSearchParams({ question: st.id, value: value, base_version: String(st.version) });
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" },
    })
      .then(function (resp) {
        var wait = parseInt(resp.headers.get("Retry-After") || "", 10) * 1000 || 0;
        return resp.json().then(
          function (data) { return { status: resp.status, data: data, wait: wait }; },
          function () { return { status: resp.status, data: null, wait: wait }; }
        );
      })
      .then(function (r) { st.sending = false; handle(st, value, r.status, r.data, r.wait); },
            function () { st.sending = false; retryLater(st); refresh(); });
  }

  function handle(st, value, status, data, wait) {
    if (status === 200 && data && data.ok) {
      st.version = data.version;
      st.attempt = 0;
      st.invalid = false;
      setError(st, "");
      if (st.dirty || valueOf(st) !== value) { send(st); return; }
      st.unsaved = false;
      forget(st);
      setStatus(st, data.message, "success");
    } else if (status === 409 && data && data.conflict) {
      st.conflict = data.conflict;
      st.conflictText.textContent = data.message + " " + T.tNewer + ": " + data.conflict.label +
        (data.conflict.at ? " (" + data.conflict.at + ")" : "") + ". " + T.tYours + ": " + (labelOf(st) || "–") + ".";
      st.conflictBox.hidden = false;
      setStatus(st, T.tUnsaved, "warning-emphasis");
    } else if (data && data.message && (status === 400 || status === 403 || status === 404)) {
      // Refused for good (bad value, closed, not allowed): show why, keep the typed value in the page.
      st.unsaved = false;
      st.invalid = true;
      forget(st);
      setError(st, data.message);
      setStatus(st, T.tFailed, "danger");
    } else if (status === 401 && data) {
      setError(st, data.message);
      retryLater(st);
    } else if (status >= 500 && data && data.message) {
      // The server is away or failed (kotan/infra/errors.server_error): its message says the answer stays
      // on this device and is sent again; keep trying, no sooner than Retry-After.
      retryLater(st, data.message, wait);
    } else {
      retryLater(st, T.tRetry + (status ? " (" + status + ")" : ""), wait);
    }
    refresh();
  }

  function changed(st, now) {
    st.unsaved = true;
    setError(st, "");
    if (st.conflict) { st.conflict = null; st.conflictBox.hidden = true; }
    clearTimeout(st.timer);
    if (now) send(st);
    else { setStatus(st, T.tUnsaved, "warning-emphasis"); st.timer = setTimeout(function () { send(st); }, 800); }
    refresh();
  }

  root.querySelectorAll(".entry-q[data-question]").forEach(function (el) {
    var st = {
      id: el.dataset.question,
      el: el,
      version: parseInt(el.dataset.version, 10) || 0,
      status: el.querySelector(".entry-status"),
      error: el.querySelector(".entry-error"),
      conflictBox: el.querySelector(".entry-conflict"),
      conflictText: el.querySelector(".entry-conflict-text"),
      clear: el.querySelector("[data-clear]"),
      attempt: 0, timer: null, sending: false, dirty: false, unsaved: false, conflict: null, invalid: false,
    };
    states[st.id] = st;
    el.querySelectorAll("input[type=radio]").forEach(function (r) {
      r.addEventListener("change", function () { changed(st, true); });
    });
    var text = el.querySelector("input[type=text], input[type=number]");
    if (text) {
      text.addEventListener("input", function () { changed(st, false); });
      text.addEventListener("change", function () { changed(st, true); });
    }
    if (st.clear) st.clear.addEventListener("click", function () { setValue(st, ""); changed(st, true); });
    el.querySelector("[data-keep]").addEventListener("click", function () {
      st.version = st.conflict.version; // resubmit mine on top of the newer version
      st.conflict = null;
      st.conflictBox.hidden = true;
      send(st);
    });
    el.querySelector("[data-take]").addEventListener("click", function () {
      setValue(st, st.conflict.value);
      st.version = st.conflict.version;
      st.conflict = null;
      st.conflictBox.hidden = true;
      st.unsaved = false;
      forget(st);
      setStatus(st, T.tTaken, "muted");
      refresh();
    });
  });

  // Answers typed on this device that never reached the server (tab closed while offline): put them
  // back and save them; the server refuses with 409 if someone changed the answer meanwhile.
  var store = loadStore();
  Object.keys(store).forEach(function (id) {
    var st = states[id];
    if (!st) return;
    if (store[id].value === valueOf(st)) { forget(st); return; }
    setValue(st, store[id].value);
    st.version = store[id].base;
    setStatus(st, T.tRestored, "warning-emphasis");
    send(st);
  });

  window.addEventListener("online", function () {
    Object.keys(states).forEach(function (id) {
      var st = states[id];
      if (st.unsaved && !st.sending && !st.conflict) send(st);
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (refresh()) { event.preventDefault(); event.returnValue = T.tLeave; }
  });

  // "Tandai lengkap" and "berikutnya" wait until every answer is saved, so nothing typed is left behind.
  document.querySelectorAll("form[data-flush]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      if (!refresh()) { form.dataset.sent = "1"; return; }
      event.preventDefault();
      var note = document.querySelector("[data-flush-message]");
      if (note) note.textContent = T.tWait;
      Object.keys(states).forEach(function (id) {
        var st = states[id];
        if (st.unsaved && !st.sending && !st.conflict) send(st);
      });
      var tries = 0;
      var poll = setInterval(function () {
        tries += 1;
        if (!refresh()) { clearInterval(poll); form.dataset.sent = "1"; form.submit(); }
        else if (tries > 40) { clearInterval(poll); if (note) note.textContent = T.tWaitFailed; }
      }, 250);
    });
  });
  refresh();
})();
