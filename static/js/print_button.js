// The print page's 印刷する button: shown and wired only when scripts run (the CSP allows
// our own files, no inline script); without them the PDF link and the browser's own
// print command remain.
document.querySelectorAll("[data-print-button]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
