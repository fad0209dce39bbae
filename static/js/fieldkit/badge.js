// On every signed-in page (base.html): the navbar badge "n kuesioner belum terkirim" for this user's field
// queue, the service worker's registration, and the store's cleanup when the user logs out (asked first
// when something is still unsent). Needs store.js before it.
(function () {
  "use strict";
  var S = window.KotanFieldStore;
  var uid = S && S.metaUser();
  if (!uid) return;
  var previous = S.rememberedUser();
  var ready = previous && previous !== uid ? S.dropFieldPage() : Promise.resolve();
  try { window.localStorage.setItem(S.USER_KEY, uid); } catch (e) { /* private mode: the meta still says it */ }

  var script = document.currentScript;
  if ("serviceWorker" in navigator && script && script.dataset.swUrl) {
    ready.then(function () {
      return navigator.serviceWorker.register(script.dataset.swUrl, { scope: "/" });
    }).catch(function () { /* no worker: the site works online as before */ });
  }

  var badge = document.getElementById("fk-badge");
  function refresh() {
    if (!badge) return Promise.resolve();
    return S.open(uid).then(S.pendingCount).then(function (n) {
      var parts = (n === 1 ? badge.dataset.one : badge.dataset.many).split("{n}");
      var words = document.createElement("span");
      words.className = "fk-badge-words";
      words.textContent = (parts[1] || "").trim();
      badge.replaceChildren(document.createTextNode(parts[0] + String(n) + " "), words);
      badge.title = badge.textContent;
      badge.hidden = n === 0;
    }).catch(function () { badge.hidden = true; });
  }
  refresh();
  S.onChange(refresh);

  document.querySelectorAll("form[data-fk-logout]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.fkCleared) return;
      event.preventDefault();
      S.open(uid).then(S.pendingCount).catch(function () { return 0; }).then(function (n) {
        if (n > 0 && !window.confirm(form.dataset.confirm)) return;
        return S.wipe(uid).catch(function () { /* still log out */ }).then(function () {
          form.dataset.fkCleared = "1";
          form.submit();
        });
      });
    });
  });
})();
