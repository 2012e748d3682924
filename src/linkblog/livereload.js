// Injected by `linkblog serve` into HTML responses only; built files never contain it.
(function () {
  "use strict";
  var config = JSON.parse(document.currentScript.dataset.linkblog);
  var overlay = null;

  // The pages this tab shows: its address's, and the 404 page where that has none yet (a build may write it).
  function shown() {
    var path = decodeURIComponent(location.pathname);
    var own = path.endsWith("/index.html") ? path.slice(0, -"index.html".length) : path;
    return config.shows ? [own, config.shows] : [own];
  }

  function showProblems(problems) {
    if (overlay) { overlay.remove(); overlay = null; }
    if (!problems.length) { return; }
    overlay = document.createElement("div");
    overlay.id = "linkblog-problems";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0 0 auto 0;max-height:70vh;overflow:auto;z-index:2147483647;" +
      "margin:0;padding:1em 1.5em;background:#fff0f0;color:#5c0000;border-bottom:3px solid #c00;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 2px 12px rgba(0,0,0,.3)";
    var title = document.createElement("strong");
    var searchOnly = problems.every(function (problem) { return problem.indexOf("search: ") === 0; });
    title.textContent = searchOnly ? "The search index could not be updated; the pages are up to date:" :
      config.built ? "The last build failed; this is the last good page. Fix these and save:" :
      "The site could not be built yet. Fix these and save:";
    overlay.appendChild(title);
    var list = document.createElement("ul");
    problems.forEach(function (problem) {
      var item = document.createElement("li");
      item.textContent = problem;  // text, never markup: a problem may quote the post
      list.appendChild(item);
    });
    overlay.appendChild(list);
    document.body.appendChild(overlay);
  }

  function swapStyles(styles) {
    document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href, location.href);
      if (styles.indexOf(decodeURIComponent(url.pathname)) >= 0) {
        url.searchParams.set("linkblog-reload", Date.now());
        link.href = url.href;
      }
    });
  }

  // The paths of the stylesheets `sheet` pulls in with @import, at any depth: a link's href cannot refresh
  // them (the browser keeps an imported sheet it has loaded), so a change to one reloads the page.
  function imported(sheet, paths) {
    var rules;
    try { rules = sheet.cssRules; } catch (error) { return paths; }  // another origin's sheet: not ours
    Array.prototype.forEach.call(rules, function (rule) {
      if (rule.styleSheet) {
        paths.push(decodeURIComponent(new URL(rule.styleSheet.href || rule.href, location.href).pathname));
        imported(rule.styleSheet, paths);
      }
    });
    return paths;
  }

  function importsAny(styles) {
    var paths = [];
    Array.prototype.forEach.call(document.styleSheets, function (sheet) { imported(sheet, paths); });
    return styles.some(function (style) { return paths.indexOf(style) >= 0; });
  }

  function onBuild(message) {
    showProblems(message.problems);
    if (message.problems.length) { return; }
    if (message.everything || shown().some(function (page) { return message.pages.indexOf(page) >= 0; }) ||
        importsAny(message.styles)) {
      location.reload();
    } else if (message.styles.length) {
      swapStyles(message.styles);
    }
  }

  showProblems(config.problems);
  var events = new EventSource(config.events);
  events.addEventListener("build", function (event) { onBuild(JSON.parse(event.data)); });
})();
