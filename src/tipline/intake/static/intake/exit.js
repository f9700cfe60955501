// Quick exit, after the GOV.UK Design System's "Exit this page": the button, or the Shift key
// pressed three times in a row within five seconds. Shift alone is never typed as text, unlike
// Escape, which people press while writing. The page is blanked at once (nothing readable stays
// on screen while the next site loads), and location.replace swaps this page out of the history
// so that Back does not return to it. What was typed is not saved.
(function () {
  var link = document.getElementById("quick-exit");
  var presses = 0, timer = null;
  function leave(event) {
    if (event) event.preventDefault();
    document.title = "";
    document.body.className = "exiting";
    document.body.textContent = "";
    window.location.replace(link.href);
  }
  function reset() { presses = 0; timer = null; }
  if (link) {
    link.addEventListener("click", leave);
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Shift") { if (timer) clearTimeout(timer); reset(); return; }
      if (event.repeat) return;
      presses += 1;
      if (timer) clearTimeout(timer);
      timer = setTimeout(reset, 5000);
      if (presses >= 3) leave(null);
    });
  }
  // After a failed submit: take the reader to the list of problems, which links to each field.
  // Each entry moves focus into its field (a fragment link alone only scrolls).
  var summary = document.getElementById("error-summary");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var entry = event.target.closest ? event.target.closest("a[href^='#']") : null;
    var field = entry && document.getElementById(entry.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
    field.scrollIntoView({ block: "center" });
  });
})();
