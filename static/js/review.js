// Review page: confirm before final steps, send each form once, and fill the return form from a row.
(function () {
  "use strict";
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var question = form.dataset.confirm;
      if (question && !window.confirm(question)) { event.preventDefault(); return; }
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });

  var rows = document.querySelector("[data-comment-rows]");
  var add = document.querySelector("[data-add-comment]");
  if (!rows) { return; }
  var counter = rows.querySelectorAll("[data-comment-row]").length;

  function newRow() {
    var template = rows.querySelector("[data-comment-row]");
    var row = template.cloneNode(true);
    counter += 1;
    row.querySelectorAll("select, textarea").forEach(function (field) {
      var id = field.id.replace(/-\d+$/, "-" + counter);
      var label = row.querySelector("label[for='" + field.id + "']");
      if (label) { label.htmlFor = id; }
      field.id = id;
      field.value = field.tagName === "SELECT" ? "general" : "";
    });
    rows.appendChild(row);
    return row;
  }

  if (add) {
    add.hidden = false;
    add.addEventListener("click", function () { newRow().querySelector("textarea").focus(); });
  }

  // "Komentari" on a questionnaire: use the first empty comment row (or a new one) aimed at it.
  document.querySelectorAll("[data-comment-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = button.dataset.commentTarget;
      var row = Array.prototype.find.call(rows.querySelectorAll("[data-comment-row]"), function (r) {
        return r.querySelector("textarea").value.trim() === "" ;
      }) || newRow();
      row.querySelector("select").value = target;
      var text = row.querySelector("textarea");
      text.scrollIntoView({ behavior: "smooth", block: "center" });
      text.focus({ preventScroll: true });
    });
  });
})();
