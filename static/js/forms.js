// Small page behaviours kept out of the templates (the Content-Security-Policy forbids inline scripts):
// forms sent once, a confirmation before a destructive form, and copy-to-clipboard buttons.
// The review page has its own review.js and does not load this file.
(function () {
  "use strict";

  // form[data-confirm="question"]: ask before sending; a "no" sends nothing.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    });
  });

  // form[data-once]: a double click sends once; the server also refuses a repeated request politely.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    });
  });

  // button[data-copy="#input"]: copy that input's value, show data-copied for two seconds.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.querySelector(button.dataset.copy);
      var label = button.textContent;
      function done() {
        button.textContent = button.dataset.copied;
        setTimeout(function () { button.textContent = label; }, 2000);
      }
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
      } else { document.execCommand("copy"); done(); }
    });
  });
})();
