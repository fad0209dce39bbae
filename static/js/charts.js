/* Draws every dashboard chart: <div data-figure="ID"> takes its figure from <script id="ID"
   type="application/json"> (written by the {% chart %} template tag), plotly.js from static/. */
(function () {
  "use strict";
  // plotly.js would inject its styles as a <style> element, which the Content-Security-Policy refuses:
  // the page links static/vendor/plotly/plotly.css with id="plotly.js-style-global" and class
  // "no-inline-styles", which tells plotly.js to leave styling to that file.
  var config = { displayModeBar: false, responsive: true, scrollZoom: false };

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    var layout = figure.layout || {};
    // Phone width (a half-width card on a desktop is ~530 px): the figure carries its own overrides.
    var narrow = layout.meta && layout.meta.narrow;
    if (narrow && el.clientWidth < 460) {
      Object.keys(narrow).forEach(function (key) {
        var value = narrow[key];
        if (value && typeof value === "object" && !Array.isArray(value) && layout[key]) {
          layout[key] = Object.assign({}, layout[key], value);
        } else {
          layout[key] = value;
        }
      });
    }
    window.Plotly.newPlot(el, figure.data || [], layout, config);
  }

  function drawAll() {
    if (window.Plotly) { window.Plotly.setPlotConfig({ logging: 0 }); }
    var charts = document.querySelectorAll("[data-figure]");
    for (var i = 0; i < charts.length; i++) { draw(charts[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
