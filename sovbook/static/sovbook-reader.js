/* The reader's tools on every page (see sovbook/reader.py). Loaded deferred; nothing here
   fetches anything.

   - "Copy with citation" on each quotation: copies the quotation, its footer (author, title
     and locator) and its permalink; the result is announced in a polite live region.
   - Previews: a link to a bibliography entry, a glossary term or a quotation shows what it
     points to on hover, on keyboard focus and on a first tap (a second tap follows the link).
     Escape closes it; the pointer can move onto it. Targets on this page are read from the
     page; targets on other pages come from the page's #sovbook-previews JSON, written at
     build time (sovbook/previews.py).
   - The theme's "Print to PDF" button (its inline onclick is removed for the page's
     Content-Security-Policy, see sovbook/security.py). */
(function () {
  "use strict";

  var live = null;

  function announce(message) {
    if (!live) { return; }
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 60);
  }

  /* ------------------------------------------------------------------ quotations */

  function quotationText(quote) {
    var text = "";
    var paragraphs = quote.children;
    for (var i = 0; i < paragraphs.length; i++) {
      var p = paragraphs[i];
      if (p.tagName === "P" && !p.classList.contains("sovbook-label")) { text = p.textContent.trim(); break; }
    }
    var footer = quote.querySelector("footer");
    var id = quote.getAttribute("data-quote");
    var url = window.location.href.split("#")[0] + "#quote-" + encodeURIComponent(id);
    return text + "\n\u2014 " + (footer ? footer.textContent.trim() : "") + "\n" + url;
  }

  function legacyCopy(text, restoreFocus) {
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "sovbook-copy-area";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (restoreFocus) { restoreFocus.focus(); }
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function copyText(text, button) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text, button); });
    }
    return legacyCopy(text, button);
  }

  function onCopy(button) {
    var quote = button.closest("blockquote.sovbook-quote");
    if (!quote) { return; }
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    copyText(quotationText(quote), button).then(function () {
      button.textContent = "Copied";
      announce("Quotation copied with its citation.");
      window.setTimeout(function () { button.textContent = label; }, 2000);
    }, function () {
      announce("Copying is not available here: select the quotation and copy it.");
    });
  }

  /* ------------------------------------------------------------------ previews */

  var tip = null;
  var body = null;
  var kind = null;
  var hint = null;
  var current = null;
  var showTimer = 0;
  var hideTimer = 0;
  var embedded = {};
  var lastPointer = "mouse";
  var wasShowing = false;

  function readEmbedded() {
    var block = document.getElementById("sovbook-previews");
    if (!block) { return; }
    try { embedded = JSON.parse(block.textContent); } catch (e) { console.error("sovbook: unreadable previews", e); }
  }

  /* A copy of an element fit for a preview: no ids, no permalink or tool, links as plain text. */
  function cleaned(nodes) {
    var box = document.createElement("div");
    nodes.forEach(function (node) { box.appendChild(node.cloneNode(true)); });
    box.querySelectorAll(".headerlink, .sovbook-quote-tools, .sovbook-quote-context, .fn-bracket, span.label, script").forEach(function (n) { n.remove(); });
    box.querySelectorAll("[id]").forEach(function (n) { n.removeAttribute("id"); });
    box.querySelectorAll("a").forEach(function (a) {
      var span = document.createElement("span");
      span.textContent = a.textContent;
      a.replaceWith(span);
    });
    return box;
  }

  function fromElement(el) {
    if (!el) { return null; }
    if (el.matches("div.citation")) {
      return { kind: "Bibliography", box: cleaned(Array.prototype.slice.call(el.childNodes)) };
    }
    if (el.matches("dt[id^='term-']")) {
      var term = document.createElement("p");
      var strong = document.createElement("strong");
      strong.textContent = el.textContent.replace(/[\u00b6#]\s*$/, "").trim();
      term.appendChild(strong);
      var parts = [term];
      var dd = el.nextElementSibling;
      if (dd && dd.tagName === "DD") { parts = parts.concat(Array.prototype.slice.call(dd.childNodes)); }
      return { kind: "Glossary", box: cleaned(parts) };
    }
    if (el.matches("blockquote.sovbook-quote")) {
      return { kind: "Quotation", box: cleaned(Array.prototype.slice.call(el.childNodes)) };
    }
    return null;
  }

  function previewFor(link) {
    if (link.closest("#sovbook-preview, .bd-sidebar, .bd-toc, nav, .prev-next-area, .bd-header-article") ||
        link.classList.contains("headerlink") || link.classList.contains("sovbook-quote-link")) {
      return null;
    }
    var href = link.getAttribute("href") || "";
    var hash = href.indexOf("#");
    if (hash < 0) { return null; }
    if (Object.prototype.hasOwnProperty.call(embedded, href)) {
      var box = document.createElement("div");
      box.innerHTML = embedded[href].html;
      return { kind: embedded[href].kind, box: cleaned(Array.prototype.slice.call(box.childNodes)) };
    }
    var id = decodeURIComponent(href.slice(hash + 1));
    if (hash === 0) { return fromElement(document.getElementById(id)); }
    var quote = link.getAttribute("data-quote");
    if (quote) { return fromElement(document.getElementById("quote-" + quote)); }
    return null;
  }

  function makeTip() {
    tip = document.createElement("div");
    tip.id = "sovbook-preview";
    tip.className = "sovbook-preview";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    kind = document.createElement("p");
    kind.className = "sovbook-preview-kind";
    body = document.createElement("div");
    body.className = "sovbook-preview-body";
    hint = document.createElement("p");
    hint.className = "sovbook-preview-hint";
    tip.appendChild(kind);
    tip.appendChild(body);
    tip.appendChild(hint);
    landmark().appendChild(tip);
    tip.addEventListener("mouseenter", function () { window.clearTimeout(hideTimer); });
    tip.addEventListener("mouseleave", function () { scheduleHide(); });
  }

  /* Inside the main landmark, so that all content is in a landmark (axe-core "region"). */
  function landmark() {
    return document.querySelector("main") || document.body;
  }

  function place(link) {
    var rect = link.getBoundingClientRect();
    var viewportW = document.documentElement.clientWidth;
    tip.style.left = "0px";
    tip.style.top = "0px";
    var origin = (tip.offsetParent || document.body).getBoundingClientRect();  // where (0, 0) is now
    var width = tip.offsetWidth;
    var height = tip.offsetHeight;
    var left = Math.max(8, Math.min(rect.left, viewportW - width - 8));
    var below = rect.bottom + 6;
    var top = (below + height > window.innerHeight && rect.top - height - 6 > 0) ? rect.top - height - 6 : below;
    tip.style.left = Math.round(left - origin.left) + "px";
    tip.style.top = Math.round(top - origin.top) + "px";
  }

  function show(link, preview) {
    window.clearTimeout(hideTimer);
    window.clearTimeout(showTimer);
    if (current && current !== link) { hide(); }
    if (!preview) { return; }
    if (link.hasAttribute("title")) {  // the native tooltip would cover the preview
      link.setAttribute("data-sovbook-title", link.getAttribute("title"));
      link.removeAttribute("title");
    }
    kind.textContent = preview.kind;
    body.replaceChildren(preview.box);
    hint.textContent = lastPointer === "touch" ? "Tap the link again to go there." : "";
    hint.hidden = lastPointer !== "touch";
    tip.hidden = false;
    place(link);
    current = link;
    var described = link.getAttribute("aria-describedby");
    if (!described || described.split(/\s+/).indexOf(tip.id) < 0) {
      link.setAttribute("data-sovbook-describedby", described || "");
      link.setAttribute("aria-describedby", ((described || "") + " " + tip.id).trim());
    }
  }

  function hide() {
    window.clearTimeout(showTimer);
    window.clearTimeout(hideTimer);
    if (!tip || tip.hidden) { current = null; return; }
    tip.hidden = true;
    if (current) {
      var before = current.getAttribute("data-sovbook-describedby");
      if (before) { current.setAttribute("aria-describedby", before); } else { current.removeAttribute("aria-describedby"); }
      current.removeAttribute("data-sovbook-describedby");
    }
    current = null;
  }

  function scheduleHide() {
    window.clearTimeout(hideTimer);
    hideTimer = window.setTimeout(hide, 250);
  }

  function linkOf(target) {
    return target && target.closest ? target.closest("a[href]") : null;
  }

  function setupPreviews() {
    readEmbedded();
    makeTip();
    document.addEventListener("pointerdown", function (event) {
      lastPointer = event.pointerType || "mouse";
      var link = linkOf(event.target);
      wasShowing = !!(link && current === link && !tip.hidden);
      if (!link && !tip.contains(event.target)) { hide(); }
    }, true);
    document.addEventListener("mouseover", function (event) {
      var link = linkOf(event.target);
      if (!link || link === current || lastPointer === "touch") { return; }
      var preview = previewFor(link);
      if (!preview) { return; }
      window.clearTimeout(showTimer);
      showTimer = window.setTimeout(function () { show(link, preview); }, 150);
    });
    document.addEventListener("mouseout", function (event) {
      var link = linkOf(event.target);
      if (!link) { return; }
      var into = event.relatedTarget;
      if (into && (link.contains(into) || tip.contains(into))) { return; }
      window.clearTimeout(showTimer);
      if (link === current) { scheduleHide(); }
    });
    document.addEventListener("focusin", function (event) {
      var link = linkOf(event.target);
      if (link && link !== current) {
        var preview = previewFor(link);
        if (preview) { show(link, preview); }
      }
    });
    document.addEventListener("focusout", function (event) {
      if (current && event.target === current && lastPointer !== "touch") { hide(); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && current) { hide(); }
    });
    document.addEventListener("click", function (event) {
      var link = linkOf(event.target);
      if (!link || lastPointer !== "touch") { return; }
      if (wasShowing) { return; }  // second tap: follow the link
      var preview = previewFor(link);
      if (!preview) { return; }
      event.preventDefault();
      show(link, preview);
    });
    window.addEventListener("resize", function () { if (current) { place(current); } });
  }

  /* ------------------------------------------------------------------ start */

  function start() {
    live = document.createElement("div");
    live.id = "sovbook-live";
    live.className = "visually-hidden";
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    landmark().appendChild(live);
    document.addEventListener("click", function (event) {
      var target = event.target;
      if (!target.closest) { return; }
      var copy = target.closest(".sovbook-quote-copy");
      if (copy) { onCopy(copy); return; }
      if (target.closest("[data-sovbook-print]")) { window.print(); }
    });
    setupPreviews();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
