/* Draws every dashboard chart: <div data-figure="ID"> takes its figure from <script id="ID"
   type="application/json"> (written by the {% chart %} template tag), plotly.js from static/. */
(function () {
  "use strict";
  // plotly.js would inject its styles as a <style> element, which the Content-Security-Policy refuses:
  // the page links static/vendor/plotly/plotly.css with id="plotly.js-style-global" and class
  // "no-inline-styles", which tells plotly.js to leave styling to that file.
  var config = { displayModeBar: false, responsive: true, scrollZoom: false };

  // plotly.js (through d3) sets some styles with setAttribute("style", ...) (every colorbar does
  // attr("style", "") on its fill rectangles), which the policy refuses as an inline style attribute
  // and reports. Inside a chart the same declarations go through the CSSOM (element.style), which the
  // policy allows; markup's style attributes stay refused everywhere.
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (String(name).toLowerCase() === "style" && this.closest && this.closest("[data-figure]")) {
      this.style.cssText = String(value);
      return;
    }
    return setAttribute.call(this, name, value);
  };

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
