/* Draw the page's charts from the figure JSON stored next to each (see sovbook/sphinx.py),
   with the plotly.js bundle the page names (sovbook/plotlyjs.py), served from _static.

   - plotly.js is not loaded with the page: its address is in this script's tag
     (data-sovbook-plotly, written at build time by sovbook/pagehead.py). It is loaded when a chart comes into view, or as soon as the reader starts scrolling (or
     presses a key or touches the page), so that the text paints first and a chart is ready
     when the reader reaches it. Each chart's height is reserved, so drawing shifts nothing.
     Charts are drawn one at a time, when they come within a screen of the viewport once the
     reader has started moving (within the viewport before that).
   - A page that already has plotly.js (the PDF's print document) gets every chart drawn at once.
   - Dark mode: the neutral colours of a figure (white ground, black and grey text, lines and
     grid) are mapped onto the theme's ground and text colours; chart colours (the Okabe-Ito
     palette) stay. The charts follow the theme switch (data-theme on <html>).
   - Phone layout, when the chart is narrower than 560 px: category labels of a categorical
     y axis move above their bars or dots (the plot keeps the width), long labels, titles and
     legend entries wrap, the legend is a list below the plot; the height is set before the
     chart is drawn so nothing shifts.

   Timings for the benchmark: window.sovbookFirstChartMs, window.sovbookAllChartsMs, and on each
   figure data-drawn-ms (performance.now() when it was drawn). */
(function () {
  "use strict";

  var PHONE_WIDTH = 560;
  var CHAR = 0.56;  // average glyph width, in em, of the charts' sans-serif font
  var figures = [];
  var queue = Promise.resolve();
  var plotlyPromise = null;
  var near = null;
  var engaged = false;
  var drawn = 0;

  function spec(figure) {
    if (!figure._sovbookSpec) {
      figure._sovbookSpec = JSON.parse(figure.querySelector("script.sovbook-chart-json").textContent);
    }
    return figure._sovbookSpec;
  }

  function copy(value) { return JSON.parse(JSON.stringify(value)); }

  /* ------------------------------------------------------------------ loading plotly.js */

  function loadPlotly() {
    if (typeof window.Plotly !== "undefined") { return Promise.resolve(); }
    if (plotlyPromise) { return plotlyPromise; }
    var ref = document.querySelector("script[data-sovbook-plotly]");
    plotlyPromise = new Promise(function (resolve, reject) {
      if (!ref) { reject(new Error("sovbook: this page names no plotly.js")); return; }
      var script = document.createElement("script");
      script.src = new URL(ref.getAttribute("data-sovbook-plotly"), document.baseURI).href;
      script.onload = function () { window.sovbookPlotlyMs = performance.now(); resolve(); };
      script.onerror = function () { reject(new Error("sovbook: plotly.js did not load from " + script.src)); };
      document.head.appendChild(script);
    });
    return plotlyPromise;
  }

  /* ------------------------------------------------------------------ colours */

  function isDark() {
    var theme = document.documentElement.getAttribute("data-theme");
    if (theme === "dark") { return true; }
    if (theme === "light") { return false; }
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  function parseColour(text) {
    var c = String(text).trim().toLowerCase();
    if (c === "white") { return [255, 255, 255, 1]; }
    if (c === "black") { return [0, 0, 0, 1]; }
    var m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(c);
    if (m) {
      var h = m[1].length === 3 ? m[1].replace(/(.)/g, "$1$1") : m[1];
      return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16), 1];
    }
    m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(c);
    if (m) { return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]]; }
    return null;
  }

  /* A neutral colour (grey level t, 0 black .. 1 white) becomes the same mix of the theme's
     text colour (for black) and ground colour (for white); other colours stay. */
  function themed(colour, ground, ink) {
    var c = parseColour(colour);
    if (!c || Math.max(c[0], c[1], c[2]) - Math.min(c[0], c[1], c[2]) > 24) { return colour; }
    var t = (c[0] + c[1] + c[2]) / 765;
    var mix = [0, 1, 2].map(function (i) { return Math.round(ink[i] * (1 - t) + ground[i] * t); });
    return c[3] < 1 ? "rgba(" + mix.join(",") + "," + c[3] + ")" : "rgb(" + mix.join(",") + ")";
  }

  function recolour(value, key, ground, ink) {
    if (Array.isArray(value)) {
      return value.map(function (v) { return recolour(v, key, ground, ink); });
    }
    if (value && typeof value === "object") {
      var out = {};
      Object.keys(value).forEach(function (k) { out[k] = recolour(value[k], k, ground, ink); });
      return out;
    }
    if (typeof value === "string" && /colou?r$/i.test(key || "")) { return themed(value, ground, ink); }
    return value;
  }

  function themeColours(figure) {
    var style = window.getComputedStyle(figure);
    var ground = parseColour(style.getPropertyValue("--sovbook-chart-bg")) || [18, 18, 18, 1];
    var ink = parseColour(style.getPropertyValue("--sovbook-chart-fg")) || [206, 214, 221, 1];
    return { ground: ground, ink: ink };
  }

  /* ------------------------------------------------------------------ phone layout */

  function wrap(text, perLine) {
    var words = String(text).replace(/<br\s*\/?>/gi, " ").split(/\s+/).filter(Boolean);
    var lines = [];
    var line = "";
    perLine = Math.max(8, perLine);
    words.forEach(function (word) {
      if (line && (line + " " + word).length > perLine) { lines.push(line); line = word; } else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines.length ? lines : [""];
  }

  function isCategoryValue(v) {
    return typeof v === "string" && isNaN(Number(v)) && !/^\d{4}(-\d\d)?/.test(v);
  }

  /* The categories of a categorical y axis (bottom to top), or null. */
  function yCategories(data, axis) {
    if (axis && axis.type && axis.type !== "category") { return null; }
    var seen = [];
    var all = true;
    data.forEach(function (trace) {
      if (!Array.isArray(trace.y)) { all = all && trace.y === undefined; return; }
      trace.y.forEach(function (v) {
        if (!isCategoryValue(v)) { all = false; }
        if (seen.indexOf(v) < 0) { seen.push(v); }
      });
    });
    if (!seen.length || (!all && !(axis && axis.type === "category"))) { return null; }
    if (axis && axis.categoryorder === "array" && Array.isArray(axis.categoryarray)) {
      return axis.categoryarray.filter(function (c) { return seen.indexOf(c) >= 0; });
    }
    return seen;
  }

  function xCategories(data, axis) {
    if (axis && axis.type && axis.type !== "category") { return null; }
    var seen = [];
    var all = true;
    data.forEach(function (trace) {
      if (!Array.isArray(trace.x)) { all = all && trace.x === undefined; return; }
      trace.x.forEach(function (v) {
        if (!isCategoryValue(v)) { all = false; }
        if (seen.indexOf(v) < 0) { seen.push(v); }
      });
    });
    if (!seen.length || !all) { return null; }
    if (axis && axis.categoryorder === "array" && Array.isArray(axis.categoryarray)) {
      return axis.categoryarray.filter(function (c) { return seen.indexOf(c) >= 0; });
    }
    return seen;
  }

  function markerSize(trace) {
    var size = trace.marker && trace.marker.size;
    if (typeof size === "number") { return size; }
    if (Array.isArray(size)) { return Math.max.apply(null, size.filter(function (s) { return typeof s === "number"; }).concat([8])); }
    return size ? 22 : 10;  // sizes stored as a typed array: allow for large dots
  }

  function phoneFigure(original, width) {
    var data = copy(original.data || []);
    var layout = copy(original.layout || {});
    var font = (layout.font && layout.font.size) || 12;
    var lineH = Math.round(font * 1.3);
    var sideL = 8;
    var sideR = 12;
    layout.xaxis = layout.xaxis || {};
    layout.yaxis = layout.yaxis || {};

    // title, wrapped to the width
    var title = layout.title || {};
    var titleSize = (title.font && title.font.size) || Math.round(font * 1.3);
    var titleLines = wrap(title.text || "", Math.floor((width - sideL - sideR) / (titleSize * CHAR)));
    if (title.text) {
      // above the plot, pushing the top margin as far as its lines need
      layout.title = Object.assign({}, title, { text: titleLines.join("<br>"), x: 0, xanchor: "left", xref: "container",
        y: 1, yanchor: "bottom", yref: "paper", automargin: true, pad: { b: 10, l: sideL } });
    }
    var top = title.text ? 14 + titleLines.length * Math.round(titleSize * 1.25) + 8 : 16;

    var plotW = width - sideL - sideR - 2 * lineH - 10;  // y title and ticks

    // notes the figure writes on the plot, wrapped to under half its width
    layout.annotations = (layout.annotations || []).map(function (note) {
      if (!note || typeof note.text !== "string" || note.xref === "paper") { return note; }
      var size = (note.font && note.font.size) || font;
      return Object.assign({}, note, { text: wrap(note.text, Math.floor(plotW * 0.45 / (size * CHAR))).join("<br>") });
    });
    var height;
    var cats = yCategories(data, layout.yaxis);
    if (cats) {
      var labelSize = (layout.yaxis.tickfont && layout.yaxis.tickfont.size) || font;
      var labelLineH = Math.round(labelSize * 1.25);
      var perLine = Math.floor(plotW / (labelSize * CHAR));
      var bars = data.filter(function (t) { return t.type === "bar" && t.orientation === "h"; });
      var grouped = layout.barmode === "group" ? Math.max(1, bars.length) : 1;
      var mark = bars.length ? Math.max(14, 10 * grouped) : Math.max.apply(null, data.map(markerSize).concat([8]));
      var wrapped = cats.map(function (c) { return wrap(c, perLine); });
      var maxLines = Math.max.apply(null, wrapped.map(function (l) { return l.length; }));
      var band = maxLines * labelLineH + mark + 8;
      if (bars.length) { layout.bargap = Math.min(0.85, Math.max(0.1, 1 - mark / band)); }
      var annotations = (layout.annotations || []).slice();
      cats.forEach(function (c, i) {
        annotations.push({ text: wrapped[i].join("<br>"), xref: "paper", x: 0, xanchor: "left", yref: "y", y: c,
          yanchor: "bottom", yshift: Math.ceil(mark / 2) + 1, showarrow: false, align: "left",
          font: { size: labelSize }, name: "sovbook-category-label" });
      });
      layout.annotations = annotations;
      layout.yaxis.showticklabels = false;
      layout.yaxis.ticks = "";
      var room = (maxLines * labelLineH + 4) / band;  // above the top row, for its label
      layout.yaxis.range = layout.yaxis.autorange === "reversed" ? [cats.length - 0.5 + room, -0.5] : [-0.5, cats.length - 0.5 + room];
      delete layout.yaxis.autorange;
      height = cats.length * band + maxLines * labelLineH + 4;
    } else {
      height = Math.max(220, Math.min(360, Math.round(width * 0.8)));
    }

    // x tick labels wrapped to their share of the width
    var xcats = xCategories(data, layout.xaxis);
    var xTickLines = 1;
    if (xcats) {
      var perX = Math.floor(plotW / xcats.length / (font * CHAR));
      var xText = xcats.map(function (c) { return wrap(c, perX); });
      xTickLines = Math.max.apply(null, xText.map(function (l) { return l.length; }));
      layout.xaxis.tickmode = "array";
      layout.xaxis.tickvals = xcats;
      layout.xaxis.ticktext = xText.map(function (l) { return l.join("<br>"); });
      layout.xaxis.tickangle = 0;
    } else if (Array.isArray(layout.xaxis.ticktext)) {
      var perTick = Math.floor(plotW / layout.xaxis.ticktext.length / (font * CHAR));
      var ticks = layout.xaxis.ticktext.map(function (t) { return wrap(t, perTick); });
      xTickLines = Math.max.apply(null, ticks.map(function (l) { return l.length; }));
      layout.xaxis.ticktext = ticks.map(function (l) { return l.join("<br>"); });
      layout.xaxis.tickangle = 0;
    }

    // axis titles wrapped: x to the plot's width, y to its height
    var xTitleLines = 0;
    [["xaxis", plotW], ["yaxis", height]].forEach(function (pair) {
      var axis = layout[pair[0]];
      var text = axis.title && (typeof axis.title === "string" ? axis.title : axis.title.text);
      if (!text) { return; }
      var lines = wrap(text, Math.floor(pair[1] / (font * CHAR)));
      axis.title = Object.assign({}, typeof axis.title === "string" ? {} : axis.title, { text: lines.join("<br>") });
      if (pair[0] === "xaxis") { xTitleLines = lines.length; }
      axis.automargin = true;
    });

    // the legend: a list under the plot, long names wrapped
    var legendH = 0;
    var groups = {};
    var perName = Math.floor((width - sideL - sideR - 40) / (font * CHAR));
    data.forEach(function (trace) {
      if (trace.showlegend === false || (trace.legendgroup && groups[trace.legendgroup])) { return; }
      if (trace.legendgroup) { groups[trace.legendgroup] = true; }
      if (trace.name === undefined || (data.length === 1 && trace.showlegend !== true)) { return; }
      var lines = wrap(trace.name, perName);
      trace.name = lines.join("<br>");
      legendH += lines.length * lineH + 6;
    });
    data.forEach(function (trace) {  // grouped traces keep the name their group shows
      if (trace.legendgroup && trace.showlegend === false && typeof trace.name === "string") {
        trace.name = wrap(trace.name, perName).join("<br>");
      }
    });
    if (legendH) {
      var legendTitle = layout.legend && layout.legend.title && layout.legend.title.text;
      if (legendTitle) { legendH += lineH + 4; }
      // horizontal, one entry per row (each as wide as the legend): a vertical legend at the
      // left would be given a left margin of its own width
      layout.legend = Object.assign({}, layout.legend || {}, { orientation: "h", entrywidthmode: "fraction", entrywidth: 1,
        x: 0, xanchor: "left", xref: "container", y: 0, yanchor: "bottom", yref: "container",
        traceorder: (layout.legend && layout.legend.traceorder) || "normal" });
      if (legendTitle) { layout.legend.title = Object.assign({}, layout.legend.title, { side: "top" }); }
    }
    var bottom = (xTickLines * lineH + 10) + (xTitleLines * lineH + 6) + legendH + 12;
    layout.margin = { l: sideL, r: sideR, t: 10, b: 10, pad: 0, autoexpand: true };
    layout.height = Math.round(top + height + bottom);
    return { data: data, layout: layout };
  }

  /* ------------------------------------------------------------------ drawing */

  function figureFor(figure) {
    var original = spec(figure);
    var plot = figure.querySelector(".sovbook-chart-plot");
    var width = plot.clientWidth || figure.clientWidth;
    var shaped = width && width < PHONE_WIDTH ? phoneFigure(original, width) : { data: copy(original.data || []), layout: copy(original.layout || {}) };
    shaped.phone = width && width < PHONE_WIDTH;
    shaped.width = width;
    if (isDark()) {
      var colours = themeColours(figure);
      shaped.data = recolour(shaped.data, "", colours.ground, colours.ink);
      shaped.layout = recolour(shaped.layout, "", colours.ground, colours.ink);
      var ink = "rgb(" + colours.ink.slice(0, 3).join(",") + ")";
      shaped.layout.font = Object.assign({}, shaped.layout.font || {}, { color: (shaped.layout.font && shaped.layout.font.color) || ink });
    }
    return shaped;
  }

  /* Reserve the height the chart will be drawn at (before it is drawn: nothing shifts). */
  function reserve(figure) {
    var shaped = figureFor(figure);
    var plot = figure.querySelector(".sovbook-chart-plot");
    if (shaped.layout.height) { plot.style.minHeight = shaped.layout.height + "px"; }
    figure._sovbookShape = shaped.phone ? "phone:" + shaped.width : "wide";
    return shaped;
  }

  var CONFIG = { responsive: true, displayModeBar: false, displaylogo: false, showTips: false };

  function draw(figure) {
    if (figure.getAttribute("data-drawn") === "true") { return Promise.resolve(); }
    var shaped = reserve(figure);
    var plot = figure.querySelector(".sovbook-chart-plot");
    return window.Plotly.newPlot(plot, shaped.data, shaped.layout, CONFIG).then(function () {
      var now = performance.now();
      figure.setAttribute("data-drawn", "true");
      figure.setAttribute("data-drawn-ms", String(Math.round(now)));
      figure._sovbookDark = isDark();
      drawn += 1;
      if (!window.sovbookFirstChartMs) { window.sovbookFirstChartMs = now; }
      if (drawn === figures.length) { window.sovbookAllChartsMs = now; }
    });
  }

  function redraw(figure) {
    if (figure.getAttribute("data-drawn") !== "true") { reserve(figure); return Promise.resolve(); }
    var shaped = reserve(figure);
    figure._sovbookDark = isDark();
    return window.Plotly.react(figure.querySelector(".sovbook-chart-plot"), shaped.data, shaped.layout, CONFIG);
  }

  function report(error) { console.error(error && error.message ? error.message : error); }

  function request(figure) {
    if (figure._sovbookQueued) { return; }
    figure._sovbookQueued = true;
    queue = queue.then(loadPlotly).then(function () { return draw(figure); }).catch(report);
  }

  function observe(margin) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); request(entry.target); }
      });
    }, { rootMargin: margin });
    figures.forEach(function (figure) { if (!figure._sovbookQueued) { observer.observe(figure); } });
    return observer;
  }

  var ENGAGING = ["scroll", "keydown", "pointerdown", "touchstart", "wheel"];

  /* The reader starts moving: the page scrolls (not a sidebar the theme scrolls into place),
     a key is pressed or the page is touched. */
  function engage(event) {
    if (engaged || (event && event.type === "scroll" && event.target !== document)) { return; }
    engaged = true;
    ENGAGING.forEach(function (type) { window.removeEventListener(type, engage); });
    loadPlotly().catch(report);
    if (near) { near.disconnect(); }
    near = observe("100% 0px 100% 0px");
  }

  function drawAll() {
    figures.forEach(request);
    return queue;
  }

  function restyleAll() {
    figures.forEach(function (figure) {
      if (figure.getAttribute("data-drawn") === "true" && figure._sovbookDark !== isDark()) {
        queue = queue.then(function () { return redraw(figure); }).catch(report);
      }
    });
  }

  var resizeTimer = 0;
  function onResize() {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      figures.forEach(function (figure) {
        var plot = figure.querySelector(".sovbook-chart-plot");
        var width = plot.clientWidth;
        var shape = width && width < PHONE_WIDTH ? "phone:" + width : "wide";
        if (shape !== figure._sovbookShape) { queue = queue.then(function () { return redraw(figure); }).catch(report); }
      });
    }, 200);
  }

  function start() {
    figures = Array.prototype.slice.call(document.querySelectorAll("figure.sovbook-chart"));
    if (!figures.length) { return; }
    figures.forEach(reserve);
    new MutationObserver(restyleAll).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    if (window.matchMedia) {
      var scheme = window.matchMedia("(prefers-color-scheme: dark)");
      if (scheme.addEventListener) { scheme.addEventListener("change", restyleAll); }
    }
    window.addEventListener("resize", onResize);
    window.addEventListener("beforeprint", function () { drawAll(); });
    if (typeof window.Plotly !== "undefined") { drawAll(); return; }  // plotly.js already here: draw everything
    near = observe("0px");
    ENGAGING.forEach(function (type) { window.addEventListener(type, engage, { passive: true }); });
  }

  window.sovbookCharts = { drawAll: drawAll, phoneFigure: phoneFigure };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
