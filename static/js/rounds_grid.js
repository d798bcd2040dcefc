/* The evaluation grid: Alt+↑ / Alt+↓ move to the same field in the row above or below.
   Tab and Shift+Tab move across a row as usual. */
(function () {
  "use strict";
  function fieldIn(cell) {
    return cell && cell.querySelector("textarea, select, input:not([type=hidden])");
  }
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) {
      return;
    }
    var cell = event.target.closest && event.target.closest(".round-grid td");
    if (!cell) {
      return;
    }
    var row = cell.parentElement;
    var index = Array.prototype.indexOf.call(row.children, cell);
    var next = event.key === "ArrowUp" ? row.previousElementSibling : row.nextElementSibling;
    while (next) {
      var target = fieldIn(next.children[index]);
      if (target) {
        event.preventDefault();
        target.focus();
        return;
      }
      next = event.key === "ArrowUp" ? next.previousElementSibling : next.nextElementSibling;
    }
  });
})();
