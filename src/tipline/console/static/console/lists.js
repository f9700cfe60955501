/* Lists with a bulk form (form[data-bulk]): "select all on this page", and the bulk panel
 * showing only the fields of the chosen action ([data-for-action="assign close ..."]).
 * Without JavaScript every field shows and the server ignores the ones an action does not use. */
(function () {
  "use strict";
  function setUp(form) {
    var all = form.querySelector("[data-select-all]");
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=references]"));
    if (all && boxes.length) {
      all.hidden = false;
      all.addEventListener("change", function () { boxes.forEach(function (b) { b.checked = all.checked; }); });
      form.addEventListener("change", function (event) {
        if (event.target.name !== "references") { return; }
        var on = boxes.filter(function (b) { return b.checked; }).length;
        all.checked = on === boxes.length; all.indeterminate = on > 0 && on < boxes.length;
      });
    }
    var action = form.querySelector("select[name=action]");
    if (!action) { return; }
    function show() {
      form.querySelectorAll("[data-for-action]").forEach(function (field) {
        field.hidden = field.getAttribute("data-for-action").split(" ").indexOf(action.value) < 0;
      });
    }
    action.addEventListener("change", show); show();
  }
  document.querySelectorAll("form[data-bulk]").forEach(setUp);
})();
