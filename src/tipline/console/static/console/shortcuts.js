/* Keyboard shortcuts for the console. "?" opens the help sheet (#shortcut-help).
 * Lists (table[data-keyboard-list]): j/k move, x selects, o/Enter opens, c/a/p act on the
 * selection through the bulk form, ]/[ page. The report page: j/k go to the next/previous
 * report of the list it was opened from (kept in sessionStorage), c claims, a assigns,
 * p changes priority, n notes, u goes back to the queue. Keys are ignored while typing. */
(function () {
  "use strict";
  var LIST_KEY = "tipline.list";
  var pendingG = false;

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  function $(sel) { return document.querySelector(sel); }
  function go(href) { if (href) { window.location.assign(href); } }

  function rows() {
    var list = $("table[data-keyboard-list]");
    return list ? Array.prototype.slice.call(list.querySelectorAll("tbody tr[data-reference]")) : [];
  }
  function current() { return $("table[data-keyboard-list] tr.current"); }
  function move(step) {
    var all = rows(); if (!all.length) { return; }
    var at = all.indexOf(current());
    var next = all[Math.max(0, Math.min(all.length - 1, at < 0 ? 0 : at + step))];
    all.forEach(function (r) { r.classList.remove("current"); r.removeAttribute("aria-current"); });
    next.classList.add("current"); next.setAttribute("aria-current", "true");
    var link = next.querySelector("a"); if (link) { link.focus(); }
  }
  function remember() {
    var refs = rows().map(function (r) { return r.getAttribute("data-reference"); });
    if (refs.length) { sessionStorage.setItem(LIST_KEY, JSON.stringify({ refs: refs, back: location.href })); }
  }
  function bulk(action, focusName) {
    var form = $("form[data-bulk]"); if (!form) { return false; }
    var select = form.querySelector("select[name=action]");
    select.value = action; select.dispatchEvent(new Event("change", { bubbles: true }));
    if (focusName) { form.querySelector("[name=" + focusName + "]").focus(); return true; }
    if (!form.querySelector("input[name=references]:checked")) {
      var row = current(); var box = row && row.querySelector("input[name=references]");
      if (!box) { return true; }
      box.checked = true;
    }
    form.requestSubmit(); return true;
  }
  function neighbour(step) {
    var page = $("[data-report-reference]"); if (!page) { return; }
    var saved = JSON.parse(sessionStorage.getItem(LIST_KEY) || "null");
    if (!saved) { return; }
    var at = saved.refs.indexOf(page.getAttribute("data-report-reference"));
    var ref = at < 0 ? null : saved.refs[at + step];
    if (ref) { go(page.getAttribute("data-report-url").replace("__REF__", ref)); }
  }
  function focusTarget(name) {
    var el = $("[data-shortcut=" + name + "]"); if (!el) { return false; }
    var panel = el.closest("details"); if (panel) { panel.open = true; }
    if (el.tagName === "BUTTON") { el.click(); } else { el.focus(); }
    return true;
  }
  function help() {
    var dialog = $("#shortcut-help"); if (!dialog) { return; }
    if (dialog.open) { dialog.close(); } else { dialog.showModal(); }
  }

  var onList = {
    j: function () { move(1); }, k: function () { move(-1); },
    o: function () { var r = current(); if (r) { remember(); r.querySelector("a").click(); } },
    x: function () { var b = current() && current().querySelector("input[name=references]"); if (b) { b.checked = !b.checked; } },
    c: function () { bulk("assign"); }, a: function () { bulk("assign", "assignee"); },
    p: function () { bulk("priority", "priority"); },
    "]": function () { var n = $("a[data-page=next]"); if (n) { go(n.href); } },
    "[": function () { var p = $("a[data-page=prev]"); if (p) { go(p.href); } }
  };
  var onReport = {
    j: function () { neighbour(1); }, k: function () { neighbour(-1); },
    c: function () { focusTarget("claim"); }, a: function () { focusTarget("assign"); },
    p: function () { focusTarget("priority"); }, n: function () { focusTarget("note"); },
    u: function () { var saved = JSON.parse(sessionStorage.getItem(LIST_KEY) || "null"); go(saved ? saved.back : $("[data-report-reference]").getAttribute("data-queue-url")); }
  };

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("table[data-keyboard-list] a");
    if (link) { remember(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var key = event.key;
    if (key === "?") { event.preventDefault(); help(); return; }
    if (pendingG) { pendingG = false; if (key === "n") { event.preventDefault(); go($("a.bell").href); } return; }
    if (key === "g") { pendingG = true; return; }
    if (key === "Enter" && current() && event.target === document.body) { event.preventDefault(); onList.o(); return; }
    var table = $("table[data-keyboard-list]") ? onList : ($("[data-report-reference]") ? onReport : null);
    if (table && Object.prototype.hasOwnProperty.call(table, key)) { event.preventDefault(); table[key](); }
  });
})();
