// The navbar's unread-notification badge, fetched after the page loads so that no page pays a
// database query for it while rendering. Without JavaScript the link still leads to the list.
(function () {
  "use strict";
  var link = document.querySelector("[data-unread-url]");
  if (!link || !window.fetch) return;
  var badge = link.querySelector("[data-unread-badge]");
  var name = link.getAttribute("aria-label");
  fetch(link.dataset.unreadUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data || !data.unread) return;
      badge.textContent = data.unread > 99 ? "99+" : String(data.unread);
      badge.classList.remove("d-none");
      link.setAttribute("aria-label", name + " (" + data.label + ")");
    })
    .catch(function () { /* the badge is a convenience; the link works without it */ });
})();
