// The field page (/survei/lapangan/, issue 15): prepare a collection's package while online, fill
// questionnaires offline with the online rules, attach downscaled photos, and sync the queue in order, one
// questionnaire per request, each item's state taken from the server's answer. Everything lives in this
// user's IndexedDB (store.js); the texts come from the page's JSON tag #fk-strings (translated by Django).
// The bench and the browser walk drive it through window.KotanField and the #fk-* ids (the field-kit
// contract).
(function () {
  "use strict";
  var S = window.KotanFieldStore;
  var app = document.getElementById("fk-app");
  if (!app || !S) return;
  var T = JSON.parse(document.getElementById("fk-strings").textContent);
  var MAX_NUMBER = 1e12; // assessments/answers.py MAX_NUMBER
  var PHOTO_EDGE = 1600;
  var $ = function (id) { return document.getElementById(id); };
  var db = null;
  var current = null; // the questionnaire open in the form
  var activeKey = "";
  var syncing = null;

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name] == null ? "" : values[name]; });
  }
  function formatValue(value) {
    if (value === null || value === undefined || value === "") return "";
    var n = Number(value);
    if (!isFinite(n)) return String(value);
    return Number.isInteger(n) ? String(n) : n.toFixed(6).replace(/0+$/, "").replace(/\.$/, "");
  }
  function formatDate(iso) {
    var d = new Date(iso + "T00:00:00");
    if (isNaN(d)) return iso;
    return new Intl.DateTimeFormat(document.documentElement.lang || "id", {
      day: "numeric", month: "long", year: "numeric",
    }).format(d);
  }
  function today() {
    var d = new Date();
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  }
  function newUuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") node.className = attrs[k];
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- storage, with a full disk said in words --------------------------------------------------------

  function isQuotaError(error) {
    return !!error && (error.name === "QuotaExceededError" || (error.inner && error.inner.name === "QuotaExceededError"));
  }
  function storageFailed(error) {
    if (isQuotaError(error)) {
      $("fk-storage-error").textContent = T.quota_full;
      $("fk-storage-error").hidden = false;
    }
    throw error;
  }
  function put(store, value, key) {
    var done = key === undefined ? db.put(store, value) : db.put(store, value, key);
    return done.then(function (result) { $("fk-storage-error").hidden = true; S.changed(); return result; }, storageFailed);
  }
  function allQuestionnaires() {
    return db.getAll("questionnaires").then(function (items) {
      return items.sort(function (a, b) { return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0; });
    });
  }
  function photosOf(uuid) { return db.getAllFromIndex("photos", "questionnaire", uuid); }

  function packagesByKey() {
    return db.getAll("packages").then(function (records) {
      var map = {};
      records.forEach(function (r) { map[r.key] = r; });
      return map;
    });
  }
  function urlOf(record, name) { return record.pkg[name] || record.info[name]; }
  function groupOf(record, code) {
    return (record.pkg.groups || []).filter(function (g) { return g.code === code; })[0] || { code: code, name: code, questions: [] };
  }

  // --- talking to the server ---------------------------------------------------------------------------

  function LoginNeeded() { this.name = "LoginNeeded"; }
  function showLogin() { $("fk-login").hidden = false; }
  function reasonOf(error) { return error && error.message ? error.message : T.offline; }
  function readBody(response) {
    return response.text().then(function (text) {
      try { return { text: text, json: JSON.parse(text) }; } catch (e) { return { text: text, json: null }; }
    });
  }
  async function getJSON(url) {
    var response = await fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
    if (response.status === 401) { showLogin(); throw new LoginNeeded(); }
    var body = await readBody(response);
    if (!response.ok || !body.json) {
      throw new Error((body.json && body.json.message) || fmt(T.sync_server, { status: response.status }));
    }
    $("fk-login").hidden = true;
    return body;
  }
  function session() { return getJSON(app.dataset.sessionUrl).then(function (body) { return body.json; }); }
  function post(url, csrf, body, json) {
    var headers = { "X-CSRFToken": csrf, Accept: "application/json" };
    if (json) headers["Content-Type"] = "application/json";
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers, body: body });
  }

  // --- prepare -----------------------------------------------------------------------------------------

  function preparedText(record) {
    return fmt(T.prepared, {
      kb: Math.max(1, Math.round(record.bytes / 1024)).toLocaleString(document.documentElement.lang || "id"),
      date: formatDate(record.pkg.valid_until),
    });
  }
  function note(key, text) {
    var span = document.querySelector('[data-fk-prepare-note="' + key + '"]');
    if (span) span.textContent = text;
  }
  async function prepare(key, button) {
    button.disabled = true;
    note(key, T.preparing);
    try {
      var info = (await session()).collections.filter(function (c) { return c.key === key; })[0];
      if (!info) throw new Error(T.offline);
      var body = await getJSON(info.package_url);
      await replaceLocal(key, body.json);
      var record = { key: key, info: info, pkg: body.json, bytes: new Blob([body.text]).size, stored_at: new Date().toISOString() };
      await put("packages", record, key);
      await keepPageOffline();
      activate(key);
      note(key, "");
      askPersist();
      await renderHome();
    } catch (error) {
      note(key, error instanceof LoginNeeded ? "" : fmt(T.prepare_failed, { reason: reasonOf(error) }));
    } finally {
      button.disabled = false;
    }
  }
  // The page itself for a trip: the service worker active (its install cached the scripts and styles),
  // then this page stored in the worker's page cache (S.PAGES_CACHE, sw.js), so that it opens with no
  // network even if it was never reloaded under the worker. Without a service worker (plain HTTP on a
  // non-local address) the package is still stored, and the page works offline while it stays open.
  async function keepPageOffline() {
    if (!("serviceWorker" in navigator) || !("caches" in window)) return;
    await navigator.serviceWorker.ready;
    var response = await fetch(location.pathname, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok || response.redirected) throw new Error(T.offline);
    await (await caches.open(S.PAGES_CACHE)).put(location.pathname, response);
  }
  // A fresh package counts what was synced: the local synced copies go, the server's drafts come in.
  async function replaceLocal(key, pkg) {
    var items = (await db.getAll("questionnaires")).filter(function (q) { return q.key === key; });
    var kept = [];
    for (var i = 0; i < items.length; i++) {
      if (items[i].state === "synced" && !items[i].pending) await db.delete("questionnaires", items[i].uuid);
      else kept.push(items[i]);
    }
    var ids = kept.map(function (q) { return q.id; });
    var uuids = kept.map(function (q) { return q.uuid; });
    var drafts = (pkg.drafts || []).filter(function (d) { return ids.indexOf(d.id) < 0 && uuids.indexOf(d.uuid) < 0; });
    for (var j = 0; j < drafts.length; j++) await put("questionnaires", fromDraft(key, drafts[j]));
  }
  function fromDraft(key, d) {
    var answers = {};
    (d.answers || []).forEach(function (a) { answers[a.question] = { value: formatValue(a.value), base_version: a.version }; });
    var now = new Date().toISOString();
    return { uuid: d.uuid || newUuid(), id: d.id, key: key, group: d.group, label: d.label || "", village: d.village || "",
      filled_on: d.filled_on, answers: answers, complete: false, pending: false, state: "synced", error: "",
      conflicts: [], created_at: now, updated_at: now };
  }
  function askPersist() {
    if (!navigator.storage || !navigator.storage.persist) return;
    navigator.storage.persist().then(function (granted) {
      $("fk-persist").textContent = granted ? T.persist_yes : T.persist_no;
    });
  }
  function activate(key) {
    activeKey = key;
    try { window.localStorage.setItem("kotan-field-active-" + S.userId(), key); } catch (e) { /* private mode */ }
  }

  // --- the home view: collections, quota, new questionnaire, queue --------------------------------------

  async function renderHome() {
    var packages = await packagesByKey();
    var keys = Object.keys(packages).sort().reverse();
    var items = await allQuestionnaires();
    if (!packages[activeKey]) activeKey = keys[0] || "";
    $("fk-work").hidden = !activeKey;
    if (activeKey) {
      app.dataset.ready = "1";
      $("fk-prepared").textContent = preparedText(packages[activeKey]);
      renderCollections(packages, keys);
      renderQuota(packages[activeKey], items);
      renderGroups(packages[activeKey]);
    }
    renderQueue(packages, items);
  }
  function renderCollections(packages, keys) {
    var select = $("fk-collection");
    $("fk-collection-row").hidden = keys.length < 2;
    select.replaceChildren.apply(select, keys.map(function (key) {
      var r = packages[key];
      var option = el("option", { value: key }, r.pkg.regency.name + " · " + r.pkg.period.name);
      option.selected = key === activeKey;
      return option;
    }));
  }
  function renderQuota(record, items) {
    var body = $("fk-quota").tBodies[0];
    body.replaceChildren.apply(body, record.pkg.groups.map(function (g) {
      var local = items.filter(function (q) { return q.key === record.key && q.group === g.code && q.complete; }).length;
      var row = el("tr", { "data-group": g.code, class: g.complete + local >= g.quota ? "table-success" : null });
      row.append(el("td", {}, g.name), el("td", { class: "text-end", "data-complete": g.complete + local }, String(g.complete + local)),
        el("td", { class: "text-end" }, String(g.quota)));
      return row;
    }));
  }
  function renderGroups(record) {
    var select = $("fk-group");
    var chosen = select.value;
    select.replaceChildren.apply(select, record.pkg.groups.map(function (g) {
      return el("option", { value: g.code }, g.name);
    }));
    if (chosen) select.value = chosen;
    $("fk-new").disabled = !record.pkg.groups.length;
  }
  function renderQueue(packages, items) {
    var list = $("fk-queue");
    if (!items.length) {
      list.replaceChildren(el("li", { class: "list-group-item text-muted small" }, T.empty_queue));
      return;
    }
    list.replaceChildren.apply(list, items.map(function (q) { return queueItem(packages[q.key], q); }));
  }
  function queueItem(record, q) {
    var group = record ? groupOf(record, q.group) : { name: q.group, questions: [] };
    var li = el("li", { class: "list-group-item", "data-fk-item": q.uuid, "data-state": q.state, "data-pending": q.pending ? "1" : "0" });
    var head = el("div", { class: "d-flex flex-wrap justify-content-between gap-2" });
    var title = el("div");
    title.append(el("span", { class: "fw-semibold" }, group.name), document.createTextNode(
      " · " + (q.label || T.no_label) + (q.village ? " · " + q.village : "") + " · " + formatDate(q.filled_on)));
    var right = el("div", { class: "d-flex gap-2 align-items-center" });
    // A draft on the server (from the package, or sent unfinished) is "synced" but not "sent" as done.
    var shownState = q.state === "synced" && !q.complete ? "server_draft" : q.state;
    right.append(el("span", { class: "badge " + STATE_BADGE[shownState] }, T["state_" + shownState] || q.state),
      el("a", { class: "btn btn-sm btn-outline-primary", href: "#k/" + q.uuid, "aria-label": T.open + ": " + group.name + " " + (q.label || "") }, T.open));
    head.append(title, right);
    li.append(head, el("div", { class: "fk-error small text-danger" }, q.error || ""));
    (q.conflicts || []).forEach(function (c) { li.append(conflictBox(group, c)); });
    return li;
  }
  var STATE_BADGE = { draft: "text-bg-secondary", complete: "text-bg-primary", synced: "text-bg-success", server_draft: "text-bg-light border",
    conflict: "text-bg-warning", invalid: "text-bg-danger", refused: "text-bg-danger", error: "text-bg-danger" };
  // A value as the form shows it: "4 Setuju" for an option, the number itself for a number question.
  function shown(question, value) {
    var text = formatValue(value);
    if (!text) return "–";
    var option = question && question.options.filter(function (o) { return formatValue(o.value) === text; })[0];
    return option && question.kind !== "number" ? text + " " + option.label : text;
  }
  function conflictBox(group, c) {
    var question = group.questions.filter(function (x) { return x.id === c.question; })[0];
    var box = el("div", { class: "alert alert-warning small py-2 mt-2 mb-0", "data-fk-conflict": c.question });
    box.append(el("div", { class: "fw-semibold" }, (question ? question.code + ": " + question.text : "#" + c.question)),
      el("div", {}, fmt(T.conflict, { who: c.changed_by || "?" })),
      el("div", {}, T.mine + ": " + shown(question, c.mine) + " · " + T.server + ": " + shown(question, c.server)));
    var buttons = el("div", { class: "d-flex flex-wrap gap-2 mt-1" });
    buttons.append(el("button", { type: "button", class: "btn btn-sm btn-warning", "data-fk-resolve": "mine" }, T.keep_mine),
      el("button", { type: "button", class: "btn btn-sm btn-outline-secondary", "data-fk-resolve": "server" }, T.take_server));
    box.append(buttons);
    return box;
  }

  // --- the form: one questionnaire, every change stored at once -----------------------------------------

  async function newQuestionnaire() {
    var now = new Date().toISOString();
    var q = { uuid: newUuid(), id: null, key: activeKey, group: $("fk-group").value, label: "", village: "",
      filled_on: today(), answers: {}, complete: false, pending: true, state: "draft", error: "", conflicts: [],
      created_at: now, updated_at: now };
    await put("questionnaires", q);
    location.hash = "#k/" + q.uuid;
  }
  async function openForm(uuid) {
    var q = await db.get("questionnaires", uuid);
    var record = q && (await db.get("packages", q.key));
    if (!q || !record) { location.hash = "#antrean"; return; }
    current = q;
    var group = groupOf(record, q.group);
    $("fk-form-title").textContent = group.name + " · " + record.pkg.regency.name;
    $("fk-form-state").textContent = T["state_" + q.state] || q.state;
    $("fk-label").value = q.label;
    $("fk-village").value = q.village;
    $("fk-filled-on").value = q.filled_on;
    var box = $("fk-questions");
    box.replaceChildren.apply(box, group.questions.map(function (question, i) { return questionBlock(question, i + 1, q.answers[question.id]); }));
    $("fk-form-errors").hidden = true;
    $("fk-form-status").textContent = "";
    await renderPhotos();
    $("fk-home").hidden = true;
    $("fk-form").hidden = false;
    window.scrollTo(0, 0);
  }
  function questionBlock(question, number, answer) {
    var value = answer ? formatValue(answer.value) : "";
    var id = "fq-" + question.id;
    var block = el("div", { class: "entry-q px-0 py-3 border-bottom", id: id, "data-question": question.id });
    var text = el("p", { class: "mb-1", id: id + "-text" }, number + ". " + question.text);
    if (question.required) text.append(el("span", { class: "text-danger", title: T.required_mark }, " *"));
    block.append(text, el("p", { class: "small text-muted mb-2" }, question.code + (question.help ? " — " + question.help : "")));
    if (question.kind === "number") {
      var input = el("input", { type: "number", class: "form-control", name: "q" + question.id, min: "0", max: String(MAX_NUMBER),
        step: "any", inputmode: "decimal", "aria-labelledby": id + "-text" });
      input.value = value;
      block.append(input);
    } else {
      var group = el("div", { class: "entry-options " + question.kind, role: "radiogroup", "aria-labelledby": id + "-text" });
      question.options.forEach(function (o, i) {
        var v = formatValue(o.value);
        var radio = el("input", { type: "radio", class: "btn-check", name: "q" + question.id, id: id + "-" + i, value: v, autocomplete: "off" });
        radio.checked = v === value;
        group.append(radio, el("label", { class: "btn btn-sm btn-outline-primary", for: id + "-" + i },
          (question.kind === "likert" ? v + " " : "") + o.label));
      });
      block.append(group, el("button", { type: "button", class: "btn btn-link btn-sm p-0 small", "data-fk-clear": question.id }, T.clear));
    }
    block.append(el("div", { class: "fk-q-error small text-danger", role: "alert" }));
    return block;
  }
  function problemOf(question, raw) {
    var v = raw === null || raw === undefined ? "" : String(raw).trim();
    if (v === "") return question.required ? T.required : "";
    var n = Number(v.replace(",", "."));
    if (question.kind === "number") return isFinite(n) && n >= 0 && n <= MAX_NUMBER ? "" : T.range;
    return question.options.some(function (o) { return Number(o.value) === n; }) ? "" : T.choice;
  }
  // The form's writes run one after another (a field's change event and a click on "Tandai lengkap" arrive
  // together): each reads the stored copy, changes it and writes it back, so none overwrites another.
  var chain = Promise.resolve();
  function serial(task) {
    var next = chain.then(task);
    chain = next.catch(function () { /* shown where it failed; the next write still runs */ });
    return next;
  }
  function saveCurrent(change) { return serial(function () { return writeCurrent(change); }); }
  async function writeCurrent(change) {
    var q = await db.get("questionnaires", current.uuid);
    change(q);
    q.pending = true;
    if (["synced", "error", "refused", "invalid"].indexOf(q.state) >= 0) q.state = q.complete ? "complete" : "draft";
    q.updated_at = new Date().toISOString();
    await put("questionnaires", q);
    current = q;
    $("fk-form-state").textContent = T["state_" + q.state] || q.state;
    $("fk-form-status").textContent = T.saved;
  }
  async function answerChanged(input) {
    var qid = Number(input.name.slice(1));
    var record = await db.get("packages", current.key);
    var question = groupOf(record, current.group).questions.filter(function (x) { return x.id === qid; })[0];
    var raw = input.type === "radio" ? input.value : input.value.trim();
    var block = $("fq-" + qid);
    var problem = raw === "" ? "" : problemOf(question, raw);
    block.querySelector(".fk-q-error").textContent = problem;
    input.classList.toggle("is-invalid", !!problem);
    if (problem) return; // as online: an out-of-range number is not saved
    await saveCurrent(function (q) {
      var previous = q.answers[qid];
      q.answers[qid] = { value: raw === "" ? null : raw, base_version: previous ? previous.base_version : 0 };
      if (raw === "" && question.required) q.complete = false;
    });
  }
  function complete() { return serial(checkAndComplete); }
  async function checkAndComplete() {
    current = await db.get("questionnaires", current.uuid);
    var record = await db.get("packages", current.key);
    var problems = groupOf(record, current.group).questions.map(function (question) {
      var answer = current.answers[question.id];
      var problem = problemOf(question, answer ? answer.value : "");
      return problem ? question.code + ": " + question.text + " — " + problem : "";
    }).filter(Boolean);
    var box = $("fk-form-errors");
    if (problems.length) {
      box.replaceChildren(el("p", { class: "fw-semibold mb-1" }, T.form_errors));
      var list = el("ul", { class: "mb-0 small" });
      problems.forEach(function (p) { list.append(el("li", {}, p)); });
      box.append(list);
      box.hidden = false;
      box.scrollIntoView({ block: "center" });
      return;
    }
    box.hidden = true;
    await writeCurrent(function (q) { q.complete = true; q.state = "complete"; });
    location.hash = "#antrean";
  }
  async function saveDraft() {
    // A questionnaire already marked complete stays complete (the server never turns one back to draft).
    await saveCurrent(function (q) { q.state = q.complete ? "complete" : "draft"; });
    location.hash = "#antrean";
  }

  // --- photos: downscaled here (≤ 1600 px JPEG), kept as Blobs, uploaded after their questionnaire -------

  async function downscale(file) {
    var bitmap = await createImageBitmap(file);
    var scale = Math.min(1, PHOTO_EDGE / Math.max(bitmap.width, bitmap.height));
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.8); });
  }
  async function addPhotos(input) {
    var files = Array.prototype.slice.call(input.files || []);
    var status = $("fk-form-status");
    for (var i = 0; i < files.length; i++) {
      var blob = null;
      try { blob = await downscale(files[i]); } catch (e) { blob = null; }
      if (!blob) { status.textContent = fmt(T.not_image, { name: files[i].name }); continue; }
      var name = files[i].name.replace(/\.[^.]*$/, "") + ".jpg";
      await put("photos", { uuid: newUuid(), questionnaire_uuid: current.uuid, key: current.key, title: name, name: name,
        blob: blob, size: blob.size, state: "pending", error: "", created_at: new Date().toISOString() });
    }
    input.value = "";
    await saveCurrent(function () { /* the questionnaire waits for its photos */ });
    await renderPhotos();
  }
  async function renderPhotos() {
    var list = $("fk-photos");
    var photos = await photosOf(current.uuid);
    list.replaceChildren.apply(list, photos.map(function (p) {
      var li = el("li", { class: "d-flex gap-2 align-items-center", "data-fk-photo": p.uuid });
      li.append(el("span", {}, "📷 " + p.title + " · " + Math.max(1, Math.round(p.size / 1024)) + " KB · " +
        (p.state === "synced" ? T.state_synced : T.state_draft) + (p.error ? " · " + p.error : "")));
      if (p.state !== "synced") {
        li.append(el("button", { type: "button", class: "btn btn-link btn-sm p-0", "data-fk-photo-delete": p.uuid }, T.delete_photo));
      }
      return li;
    }));
  }
  async function uploadPhotos(q, record, csrf) {
    var photos = (await photosOf(q.uuid)).filter(function (p) { return p.state !== "synced"; });
    for (var i = 0; i < photos.length; i++) {
      var p = photos[i];
      var form = new FormData();
      form.append("uuid", p.uuid);
      form.append("questionnaire_uuid", q.uuid);
      form.append("title", p.title);
      form.append("file", p.blob, p.name);
      var response = await post(urlOf(record, "photo_url"), csrf, form, false);
      if (response.status === 401) { showLogin(); throw new LoginNeeded(); }
      var body = (await readBody(response)).json || {};
      if (!response.ok) {
        p.error = body.message || String(response.status);
        await put("photos", p);
        throw new Error(fmt(T.photo_failed, { reason: p.error }));
      }
      p.state = "synced";
      p.error = "";
      p.blob = null; // on the server now: free the device's space
      await put("photos", p);
    }
  }

  // --- sync: in order, one questionnaire per request, each item's state from the server's answer ---------

  function payloadOf(q) {
    return {
      uuid: q.uuid, id: q.id, group: q.group, label: q.label, village: q.village, filled_on: q.filled_on,
      answers: Object.keys(q.answers).map(function (qid) {
        var a = q.answers[qid];
        return { question: Number(qid), value: a.value === null || a.value === "" ? null : String(a.value), base_version: a.base_version || 0 };
      }),
      complete: !!q.complete,
    };
  }
  function syncStatus(text) { $("fk-sync-status").textContent = text; }
  function sync() {
    if (!syncing) {
      app.dataset.sync = "running";
      syncing = runSync().finally(function () { syncing = null; app.dataset.sync = "idle"; return renderHome(); });
    }
    return syncing;
  }
  async function runSync() {
    var items = (await allQuestionnaires()).filter(function (q) {
      return q.pending && q.state !== "conflict" && q.state !== "invalid";
    });
    if (!items.length) { syncStatus(T.sync_nothing); return; }
    var csrf;
    try { csrf = (await session()).csrf; } catch (error) {
      syncStatus(error instanceof LoginNeeded ? "" : T.sync_network);
      return;
    }
    var packages = await packagesByKey();
    for (var i = 0; i < items.length; i++) {
      syncStatus(fmt(T.sync_running, { done: i + 1, total: items.length }));
      var outcome = await syncOne(items[i], packages[items[i].key], csrf);
      if (outcome === "csrf") { // Django's own 403 page: the token changed (a new sign-in); fetch it and retry once
        csrf = (await session()).csrf;
        outcome = await syncOne(items[i], packages[items[i].key], csrf);
      }
      await renderHome();
      if (outcome !== "next") return; // the network or the session is gone: the rest waits, nothing lost
    }
    var fresh = await Promise.all(items.map(function (q) { return db.get("questionnaires", q.uuid); }));
    var ok = fresh.filter(function (q) { return q && !q.pending; }).length;
    syncStatus(fmt(T.sync_done, { ok: ok, left: await S.pendingCount(db) }));
  }
  async function syncOne(sent, record, csrf) {
    if (!record) return "next";
    var response;
    try {
      response = await post(urlOf(record, "sync_url"), csrf, JSON.stringify(payloadOf(sent)), true);
    } catch (error) {
      syncStatus(T.sync_network);
      return "stop";
    }
    if (response.status === 401) { showLogin(); syncStatus(""); return "stop"; }
    var body = (await readBody(response)).json;
    if (!body && response.status === 403) return "csrf";
    if (!body || response.status >= 500) { syncStatus(fmt(T.sync_server, { status: response.status })); return "stop"; }
    var q = await db.get("questionnaires", sent.uuid);
    var edited = q.updated_at !== sent.updated_at; // changed while the request was on its way: send again
    applyResult(q, response.status, body);
    if (q.state === "synced" || (body.questionnaire && response.status !== 403 && q.state !== "error")) {
      try {
        await uploadPhotos(q, record, csrf);
      } catch (error) {
        if (error instanceof LoginNeeded) return "stop";
        q.state = "error";
        q.pending = true;
        q.error = error instanceof TypeError ? T.sync_network : error.message;
        await put("questionnaires", q);
        return error instanceof TypeError ? "stop" : "next";
      }
    }
    if (edited) { q.pending = true; q.state = q.state === "synced" ? (q.complete ? "complete" : "draft") : q.state; }
    await put("questionnaires", q);
    return "next";
  }
  function applyResult(q, status, body) {
    if (body.questionnaire && body.questionnaire.id) q.id = body.questionnaire.id;
    q.conflicts = [];
    var problems = [];
    (body.answers || []).forEach(function (a) {
      var mine = q.answers[a.question];
      if (a.status === "conflict") {
        q.conflicts.push({ question: a.question, mine: mine ? mine.value : null, server: a.current_value,
          server_version: a.current_version, changed_by: a.changed_by || "" });
      } else if (a.status === "invalid") {
        problems.push(a.message);
      } else if (mine && a.version !== undefined && a.version !== null) {
        mine.base_version = a.version;
      }
    });
    if (body.complete && body.complete.status === "incomplete") problems = problems.concat([body.complete.message], body.complete.details || []);
    var state = { ok: "synced", conflict: "conflict", invalid: "invalid", refused: "refused" }[body.status] || "error";
    if (state === "synced" && status !== 200) state = "error";
    q.state = state;
    q.pending = state !== "synced";
    q.error = state === "synced" ? "" : [body.message].concat(problems).filter(Boolean).join(" · ");
  }
  async function resolve(uuid, qid, choice) {
    var q = await db.get("questionnaires", uuid);
    var c = q.conflicts.filter(function (x) { return x.question === qid; })[0];
    if (!c) return;
    if (choice === "server") q.answers[qid] = { value: c.server === null ? null : formatValue(c.server), base_version: c.server_version };
    else q.answers[qid] = { value: c.mine, base_version: c.server_version };
    q.conflicts = q.conflicts.filter(function (x) { return x !== c; });
    if (!q.conflicts.length) { q.state = q.complete ? "complete" : "draft"; q.error = ""; }
    q.pending = true;
    q.updated_at = new Date().toISOString();
    await put("questionnaires", q);
    await renderHome();
  }

  // --- export: the server's XLSX (bulk-entry template) while online, a JSON file with no network ---------

  function download(blob, name) {
    var link = el("a", { href: URL.createObjectURL(blob), download: name });
    document.body.append(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }
  async function unsent() {
    return (await allQuestionnaires()).filter(function (q) { return q.pending; });
  }
  async function exportJson() {
    var items = await unsent();
    var photos = (await db.getAll("photos")).filter(function (p) { return p.state !== "synced"; })
      .map(function (p) { return { uuid: p.uuid, questionnaire_uuid: p.questionnaire_uuid, title: p.title, size: p.size }; });
    var data = { exported_at: new Date().toISOString(), user: S.userId(), questionnaires: items.map(function (q) {
      return Object.assign({ key: q.key, state: q.state, error: q.error }, payloadOf(q));
    }), photos: photos };
    download(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }), "kotan-antrean-" + today() + ".json");
  }
  async function exportXlsx() {
    var record = await db.get("packages", activeKey);
    if (!record) return;
    try {
      var csrf = (await session()).csrf;
      var items = (await unsent()).filter(function (q) { return q.key === activeKey; });
      var response = await post(urlOf(record, "export_url"), csrf, JSON.stringify({ questionnaires: items.map(payloadOf) }), true);
      if (response.status === 401) { showLogin(); return; }
      if (!response.ok) {
        var body = (await readBody(response)).json;
        throw new Error((body && body.message) || String(response.status));
      }
      var match = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") || "");
      download(await response.blob(), match ? match[1] : "kotan-antrean.xlsx");
    } catch (error) {
      if (!(error instanceof LoginNeeded)) syncStatus(fmt(T.export_failed, { reason: error instanceof TypeError ? T.offline : reasonOf(error) }));
    }
  }

  // --- wiring ------------------------------------------------------------------------------------------

  function route() {
    var match = /^#k\/(.+)$/.exec(location.hash);
    if (match) return openForm(match[1]);
    current = null;
    $("fk-form").hidden = true;
    $("fk-home").hidden = false;
    return renderHome().then(function () {
      if (location.hash === "#antrean") $("antrean").scrollIntoView();
    });
  }
  // A failed write was already said (a full disk in #fk-storage-error); anything else goes to the status line.
  function failed(error) {
    if (!isQuotaError(error)) syncStatus(reasonOf(error));
  }
  function onClick(event) {
    Promise.resolve(clicked(event)).catch(failed);
  }
  function clicked(event) {
    var target = event.target.closest("button");
    if (!target) return;
    if (target.dataset.fkPrepare) return prepare(target.dataset.fkPrepare, target);
    if (target.dataset.fkResolve) {
      var box = target.closest("[data-fk-conflict]");
      return resolve(target.closest("[data-fk-item]").dataset.fkItem, Number(box.dataset.fkConflict), target.dataset.fkResolve);
    }
    if (target.dataset.fkClear) {
      document.querySelectorAll('input[name="q' + target.dataset.fkClear + '"]').forEach(function (r) { r.checked = false; });
      return answerChanged({ name: "q" + target.dataset.fkClear, type: "text", value: "", classList: { toggle: function () {} } });
    }
    if (target.dataset.fkPhotoDelete) return db.delete("photos", target.dataset.fkPhotoDelete).then(renderPhotos);
    var actions = { "fk-new": newQuestionnaire, "fk-sync": sync, "fk-save": saveDraft, "fk-complete": complete,
      "fk-export-json": exportJson, "fk-export-xlsx": exportXlsx };
    if (actions[target.id]) return actions[target.id]();
  }
  function onFormInput(event) {
    var input = event.target;
    if (!current) return;
    if (input.id === "fk-photo") return addPhotos(input);
    var fields = { "fk-label": "label", "fk-village": "village", "fk-filled-on": "filled_on" };
    if (fields[input.id]) {
      var value = input.id === "fk-filled-on" ? input.value || today() : input.value;
      return saveCurrent(function (q) { q[fields[input.id]] = value; });
    }
    if (/^q\d+$/.test(input.name)) return answerChanged(input);
  }
  function showNetwork() { $("fk-offline-note").hidden = navigator.onLine; }

  async function start() {
    try { activeKey = window.localStorage.getItem("kotan-field-active-" + S.userId()) || ""; } catch (e) { activeKey = ""; }
    app.addEventListener("click", onClick);
    $("fk-form").addEventListener("change", function (event) { Promise.resolve(onFormInput(event)).catch(failed); });
    $("fk-form").addEventListener("submit", function (event) { event.preventDefault(); });
    $("fk-collection").addEventListener("change", function () { activate(this.value); renderHome(); });
    window.addEventListener("hashchange", function () { route().catch(failed); });
    window.addEventListener("online", function () { showNetwork(); sync().catch(failed); });
    window.addEventListener("offline", showNetwork);
    showNetwork();
    if (navigator.storage && navigator.storage.persisted) {
      navigator.storage.persisted().then(function (yes) { if (yes) $("fk-persist").textContent = T.persist_yes; });
    }
    await route();
  }

  window.KotanField = {
    ready: S.open().then(function (opened) { db = opened; return start(); }),
    pendingCount: function () { return window.KotanField.ready.then(function () { return S.pendingCount(db); }); },
    sync: function () { return window.KotanField.ready.then(sync); },
  };
})();
