// Tap (or click) on a map of reports/maps.py: the nearest kab/kota point within 14 screen px, else the
// province under the finger, is outlined and its <title> text (name, score, category, rank) is written in
// a line under the map, read out by screen readers (aria-live). Hover keeps the browser's own tooltip.
// Only attributes and text change: the Content-Security-Policy allows no inline style.
(function () {
  "use strict";
  var REACH = 14; // screen px: a phone's finger on points drawn 2-3 px wide

  function tipFor(svg) {
    // On a dashboard the chart's own caption (the {% chart %} tag's figcaption.chart-tip, also used by
    // static/js/charts.js for the other charts); elsewhere a line of its own under the map.
    var figure = svg.closest(".kotan-chart");
    var caption = figure ? figure.querySelector(".chart-tip") : null;
    if (caption) {
      caption.hidden = false;
      return caption;
    }
    var tip = svg.nextElementSibling;
    if (!tip || !tip.classList.contains("kotan-map-tip")) {
      tip = document.createElement("p");
      tip.className = "kotan-map-tip small mb-2";
      tip.setAttribute("aria-live", "polite");
      svg.after(tip);
    }
    return tip;
  }

  function nearestPoint(svg, event) {
    var matrix = svg.getScreenCTM();
    if (!matrix) return null;
    var at = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    var best = null;
    var bestDistance = REACH / matrix.a;
    svg.querySelectorAll("circle[data-name]").forEach(function (circle) {
      var d = Math.hypot(circle.cx.baseVal.value - at.x, circle.cy.baseVal.value - at.y);
      if (d <= bestDistance) {
        best = circle;
        bestDistance = d;
      }
    });
    return best;
  }

  function select(svg, shape) {
    var previous = svg.querySelector("[data-selected]");
    if (previous) {
      previous.removeAttribute("data-selected");
      previous.removeAttribute("stroke");
      previous.removeAttribute("stroke-width");
    }
    if (!shape) return;
    shape.setAttribute("data-selected", "");
    shape.setAttribute("stroke", "#212121");
    shape.setAttribute("stroke-width", shape.tagName === "circle" ? "1.5" : "2");
    if (shape.tagName === "circle") shape.parentNode.appendChild(shape); // drawn above its neighbours
    var title = shape.querySelector("title");
    tipFor(svg).textContent = title ? title.textContent : shape.getAttribute("data-name");
  }

  document.addEventListener("click", function (event) {
    var svg = event.target.closest && event.target.closest("svg.kotan-map");
    if (!svg) return;
    select(svg, nearestPoint(svg, event) || event.target.closest("path[data-name]"));
  });
})();
