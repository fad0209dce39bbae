// The respondent's "Kirim jawaban": sent with fetch, not a native form post. The page sets
// Referrer-Policy: no-referrer (the token must never leak), and under that policy browsers send
// "Origin: null" on a native form POST, which Django's CSRF check rightly refuses; fetch sends the real
// Origin. autosave.js first waits until every answer is saved, then calls form.submit(): both paths
// end here. After the server answers, the page reloads by GET to show the result.
(function () {
  "use strict";
  var form = document.querySelector("form[data-respondent-complete]");
  if (!form) return;
  var note = document.querySelector("[data-flush-message]");
  var pageUrl = form.dataset.pageUrl;

  function send() {
    if (form.dataset.sending) return;
    form.dataset.sending = "1";
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    if (note) note.textContent = form.dataset.tSending;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" },
    }).then(function (resp) {
      window.onbeforeunload = null;
      if (resp.status === 400) window.location.replace(pageUrl + "?cek=1#belum-dijawab");
      else window.location.replace(pageUrl);
    }, function () {
      delete form.dataset.sending;
      delete form.dataset.sent; // let autosave.js's guard allow another try
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      if (note) note.textContent = form.dataset.tFailed;
    });
  }

  form.submit = send; // autosave.js calls this once the pending answers are saved
  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return; // autosave.js is still saving; it calls form.submit() later
    event.preventDefault();
    send();
  });
})();
