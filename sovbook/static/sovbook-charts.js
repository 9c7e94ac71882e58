/* Draw every chart on the page from the figure JSON stored next to it (see sovbook/sphinx.py).
   Uses the plotly.js bundle the page names (sovbook/plotlyjs.py), served from _static: nothing
   from the internet.

   Charts are drawn as soon as the page is parsed (readyState "interactive", before the theme's
   deferred scripts run), one at a time in page order, yielding to the browser between them so
   the first chart is painted without waiting for the others. */
(function () {
  "use strict";
  var started = false;

  function drawOne(figure) {
    var plot = figure.querySelector(".sovbook-chart-plot");
    var spec = JSON.parse(figure.querySelector("script.sovbook-chart-json").textContent);
    return Plotly.newPlot(plot, spec.data, spec.layout, {
      responsive: true,
      displayModeBar: false,
      displaylogo: false,
      showTips: false
    }).then(function () {
      figure.setAttribute("data-drawn", "true");
      if (!window.sovbookFirstChartMs) { window.sovbookFirstChartMs = performance.now(); }
    });
  }

  function nextFrame() {
    return new Promise(function (resolve) { setTimeout(resolve, 0); });
  }

  function drawAll() {
    if (started) { return; }
    started = true;
    if (typeof Plotly === "undefined") {
      console.error("sovbook: plotly.js did not load");
      return;
    }
    var figures = Array.prototype.slice.call(document.querySelectorAll("figure.sovbook-chart"));
    figures.reduce(function (previous, figure, index) {
      return previous.then(function () {
        return (index ? nextFrame() : Promise.resolve()).then(function () { return drawOne(figure); });
      });
    }, Promise.resolve()).then(function () { window.sovbookAllChartsMs = performance.now(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("readystatechange", function () {
      if (document.readyState !== "loading") { drawAll(); }
    });
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
