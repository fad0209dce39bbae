// htmx's settings for KOTAN, and what a PDF report link does when a status check fails. Loaded right
// after static/vendor/htmx/htmx.min.js (templates/reports/pdf/_report_link_assets.html), both deferred,
// so these settings are in place before htmx starts on DOMContentLoaded.
(function () {
  "use strict";
  if (!window.htmx) return;
  // The Content-Security-Policy allows neither eval nor inline styles: htmx must need neither.
  htmx.config.allowEval = false;
  htmx.config.allowScriptTags = false;
  htmx.config.includeIndicatorStyles = false; // a <style> element; static/css/reports.css has ours
  htmx.config.historyEnabled = false; // nothing here changes the address; keep pages out of storage
  htmx.config.selfRequestsOnly = true;
  htmx.config.timeout = 60000; // a check or click with no answer for a minute gives up (below)

  function reportLink(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.closest ? elt.closest("[data-report-link]") : null;
  }

  // Stop asking (the poller goes with the old content) and say so; the page itself still works.
  function giveUp(link) {
    var message = document.createElement("span");
    message.className = "small text-danger-emphasis";
    message.setAttribute("data-testid", "report-check-failed");
    message.textContent = link.getAttribute("data-check-failed");
    link.replaceChildren(message);
  }

  // A check that ended somewhere else (an expired session lands on the login form) is not swapped in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var link = reportLink(event);
    var xhr = event.detail.xhr;
    if (!link || !xhr || !xhr.responseURL) return;
    var asked = new URL(event.detail.pathInfo.requestPath, window.location.href).pathname;
    if (new URL(xhr.responseURL).pathname !== asked) {
      event.detail.shouldSwap = false;
      giveUp(link);
    }
  });

  ["htmx:responseError", "htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var link = reportLink(event);
      if (link) giveUp(link);
    });
  });
})();
