/* Chart values on tap. Every value mark of a dashboard chart (inline SVG from reports/svg.py) carries its
   value in an SVG <title>, which a mouse shows as a tooltip; a phone shows none on tap. A click or tap on
   a mark writes that title into its chart's caption (figcaption.chart-tip) and outlines the mark; the
   next tap anywhere in a chart clears the last one. No styles are set here: static/css/reports.css. */
(function () {
  "use strict";
  var tapped = null;
  var shown = null;

  function clear() {
    if (tapped) { tapped.classList.remove("is-tapped"); tapped = null; }
    if (shown) { shown.hidden = true; shown.textContent = ""; shown = null; }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var chart = target.closest ? target.closest(".kotan-chart") : null;
    if (!chart) { return; }
    if (target.closest(".kotan-map")) { clear(); return; } // static/js/maps.js: the nearest point
    var tip = chart.querySelector(".chart-tip");
    var mark = target.closest("[data-series] > *");
    var title = mark ? mark.querySelector(":scope > title") : null;
    clear();
    if (!title || !tip) { return; }
    tip.textContent = title.textContent;
    tip.hidden = false;
    shown = tip;
    mark.classList.add("is-tapped");
    tapped = mark;
  });
})();
