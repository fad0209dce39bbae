// The backup-codes page's "Cetak" button (no inline script under the Content-Security-Policy).
document.querySelectorAll("[data-print-page]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
