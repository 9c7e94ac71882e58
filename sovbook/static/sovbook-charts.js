/* Draw every chart on the page from the figure JSON stored next to it (see sovbook/sphinx.py).
   Uses the plotly.js copied into _static from the installed plotly package: nothing from the internet. */
(function () {
  "use strict";
  function draw() {
    if (typeof Plotly === "undefined") {
      console.error("sovbook: plotly.js did not load");
      return;
    }
    var pending = [];
    document.querySelectorAll("figure.sovbook-chart").forEach(function (figure) {
      var plot = figure.querySelector(".sovbook-chart-plot");
      var spec = JSON.parse(figure.querySelector("script.sovbook-chart-json").textContent);
      pending.push(Plotly.newPlot(plot, spec.data, spec.layout, {
        responsive: true,
        displayModeBar: false,
        displaylogo: false,
        showTips: false
      }).then(function () {
        figure.setAttribute("data-drawn", "true");
        if (!window.sovbookFirstChartMs) { window.sovbookFirstChartMs = performance.now(); }
      }));
    });
    Promise.all(pending).then(function () { window.sovbookAllChartsMs = performance.now(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
