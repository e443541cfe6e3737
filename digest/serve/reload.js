// digest serve: live reload. Added by the preview server to the HTML it serves; never part of a built site.
// Listens on Server-Sent Events: "reload" reloads the page (keeping the scroll position), "css" swaps
// the stylesheets in place, "failed" shows the build's problems over the page until a build succeeds.
// The overlay is styled through element.style only: the site's stylesheet and its CSP stay untouched.
(function () {
  "use strict";
  var script = document.currentScript;
  var build = script ? script.getAttribute("data-build") : null;
  var scrollKey = "digest-serve-scroll:" + location.pathname;
  var overlay = null;
  // Lets tests (and the curious) see that the page is listening.
  window.digestServe = { connected: false };

  // Session storage can be switched off; then a reload simply starts at the top.
  var storage = null;
  try { storage = window.sessionStorage; } catch (e) { storage = null; }
  var saved = storage ? storage.getItem(scrollKey) : null;
  if (saved !== null) {
    storage.removeItem(scrollKey);
    var xy = saved.split(",");
    var restore = function () { window.scrollTo(Number(xy[0]), Number(xy[1])); };
    restore();
    window.addEventListener("load", restore);
  }

  function reload() {
    if (storage) storage.setItem(scrollKey, window.scrollX + "," + window.scrollY);
    location.reload();
  }

  function swapStylesheets(version) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("digest-serve", version);
      var fresh = link.cloneNode();
      fresh.href = url.toString();
      // Drop the old sheet only once the new one applies, so the page never flashes unstyled.
      fresh.addEventListener("load", function () { link.remove(); });
      fresh.addEventListener("error", function () { link.remove(); });
      link.after(fresh);
    });
  }

  function css(el, rules) { Object.assign(el.style, rules); return el; }

  function element(tag, text, rules) {
    var el = document.createElement(tag);
    if (text) el.textContent = text;  // diagnostics quote the editor's files: text, never markup
    return css(el, rules || {});
  }

  function showErrors(errors) {
    hideErrors();
    overlay = element("div", "", {
      position: "fixed", inset: "0", zIndex: "2147483647", overflow: "auto", padding: "2rem",
      background: "rgba(20, 20, 24, 0.94)", color: "#f5f5f5",
      font: "15px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"
    });
    overlay.id = "digest-serve-overlay";
    overlay.setAttribute("role", "alert");
    overlay.appendChild(element("h2", "The site did not build", {
      margin: "0 0 0.5rem", font: "bold 1.3rem system-ui, sans-serif", color: "#ff8a80"
    }));
    overlay.appendChild(element("p", "Still showing the last good build. Fix the file and save: this goes away by itself.", {
      margin: "0 0 1.5rem", font: "0.95rem system-ui, sans-serif", color: "#bbb"
    }));
    errors.forEach(function (e) {
      var where = e.path + (e.line ? ":" + e.line + (e.column ? ":" + e.column : "") : "");
      var item = element("div", "", { margin: "0 0 1rem", padding: "0.75rem 1rem", borderLeft: "4px solid #ff5252", background: "#26262c" });
      item.appendChild(element("div", where, { color: "#82b1ff", fontWeight: "bold" }));
      item.appendChild(element("div", e.severity + ": " + e.message, { whiteSpace: "pre-wrap" }));
      if (e.hint) item.appendChild(element("div", e.hint, { color: "#b9f6ca", whiteSpace: "pre-wrap" }));
      overlay.appendChild(item);
    });
    document.body.appendChild(overlay);
  }

  function hideErrors() {
    if (overlay) overlay.remove();
    overlay = null;
  }

  var source = new EventSource("/__digest__/events");
  source.addEventListener("hello", function (event) {
    var state = JSON.parse(event.data);
    window.digestServe.connected = true;
    if (state.errors) showErrors(state.errors);
    else hideErrors();
    // A build finished while this page loaded, or the server restarted: this page is stale.
    if (build !== null && state.build !== build) reload();
  });
  source.addEventListener("reload", function () { reload(); });
  source.addEventListener("css", function (event) {
    build = JSON.parse(event.data).build;
    hideErrors();
    swapStylesheets(build);
  });
  source.addEventListener("failed", function (event) {
    showErrors(JSON.parse(event.data).errors);
  });
})();
