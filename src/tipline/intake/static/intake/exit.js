// Quick exit: leave at once, and replace this page in the history so "back" does not return here.
(function () {
  var link = document.getElementById("quick-exit");
  if (!link) return;
  function leave(event) { if (event) event.preventDefault(); window.location.replace(link.href); }
  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") leave(event); });
})();
