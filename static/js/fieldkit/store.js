// The field kit's store on this device (issue 15): one IndexedDB database per signed-in user, opened through
// the vendored idb (static/vendor/idb/idb.umd.js, the global `idb`). Shared by badge.js (every page) and
// app.js (the field page) as window.KotanFieldStore.
//
// The user comes from <meta name="kotan-user"> (base.html, signed-in pages). badge.js remembers it in
// localStorage, so a page reopened offline still knows whose database to open, and when another user signs
// in on the same browser it drops the previous user's cached field page: nobody opens another's store.
(function () {
  "use strict";
  var PREFIX = "kotan-lapangan-";
  var PAGES_CACHE = "kotan-pages"; // the service worker's cache of the field page (templates/.../sw.js)
  var USER_KEY = "kotan-user";
  var opened = {};

  function metaUser() {
    var meta = document.querySelector('meta[name="kotan-user"]');
    return meta ? meta.content : "";
  }
  function rememberedUser() {
    try { return window.localStorage.getItem(USER_KEY) || ""; } catch (e) { return ""; }
  }
  function userId() { return metaUser() || rememberedUser(); }

  function open(uid) {
    uid = uid || userId();
    if (!uid || !window.idb) return Promise.reject(new Error("no user"));
    if (!opened[uid]) {
      opened[uid] = idb.openDB(PREFIX + uid, 1, {
        upgrade: function (db) {
          db.createObjectStore("packages"); // key "<year>/<kode>"
          db.createObjectStore("questionnaires", { keyPath: "uuid" });
          db.createObjectStore("photos", { keyPath: "uuid" }).createIndex("questionnaire", "questionnaire_uuid");
        },
        // Another tab deletes the database (logout): let it go at once.
        blocking: function () { opened[uid].then(function (db) { db.close(); }); delete opened[uid]; },
      });
    }
    return opened[uid];
  }

  function pendingCount(db) {
    return db.getAll("questionnaires").then(function (items) {
      return items.filter(function (q) { return q.pending; }).length;
    });
  }

  function dropFieldPage() {
    if (!window.caches) return Promise.resolve();
    return caches.open(PAGES_CACHE).then(function (cache) {
      return cache.keys().then(function (keys) {
        return Promise.all(keys.filter(function (req) {
          return new URL(req.url).pathname.indexOf("/survei/lapangan/") === 0
            && new URL(req.url).pathname.indexOf("/luring/") < 0;
        }).map(function (req) { return cache.delete(req); }));
      });
    }).catch(function () { /* no cache: nothing to drop */ });
  }

  // Logout: the user's database and the cached field page go; the browser keeps nothing of theirs.
  function wipe(uid) {
    var closing = opened[uid] ? opened[uid].then(function (db) { db.close(); }) : Promise.resolve();
    delete opened[uid];
    return closing
      .then(function () { return idb.deleteDB(PREFIX + uid); })
      .then(dropFieldPage)
      .then(function () { try { window.localStorage.removeItem(USER_KEY); } catch (e) { /* private mode */ } });
  }

  var listeners = [];
  window.KotanFieldStore = {
    USER_KEY: USER_KEY,
    PAGES_CACHE: PAGES_CACHE,
    userId: userId,
    metaUser: metaUser,
    rememberedUser: rememberedUser,
    open: open,
    pendingCount: pendingCount,
    dropFieldPage: dropFieldPage,
    wipe: wipe,
    // app.js calls changed() after each write; the badge listens.
    onChange: function (fn) { listeners.push(fn); },
    changed: function () { listeners.forEach(function (fn) { fn(); }); },
  };
})();
