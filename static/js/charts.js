/* Draws every dashboard chart: <div data-figure="ID"> takes its figure from <script id="ID"
   type="application/json"> (written by the {% chart %} template tag), plotly.js from static/. */
(function () {
  "use strict";
  var config = { displayModeBar: false, responsive: true, scrollZoom: false };

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(el, figure.data || [], figure.layout || {}, config);
  }

  function drawAll() {
    var charts = document.querySelectorAll("[data-figure]");
    for (var i = 0; i < charts.length; i++) { draw(charts[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
