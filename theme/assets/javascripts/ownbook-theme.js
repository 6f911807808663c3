/* ownbook: small fixes to Material's markup, made in the page instead of by copying whole
   partials (a copied partial falls behind the theme and breaks other engines):
   - the search dialog gets an accessible name (axe: aria-dialog-name);
   - the footer's previous/next links are labelled from their visible titles: page titles
     reach the theme already HTML-escaped, and the partial escapes them once more. */
(function () {
  "use strict";

  function fix() {
    var dialog = document.querySelector(".md-search[role='dialog']");
    if (dialog && !dialog.getAttribute("aria-label")) {
      var input = dialog.querySelector(".md-search__input");
      dialog.setAttribute("aria-label", (input && input.getAttribute("aria-label")) || "Search");
    }
    document.querySelectorAll(".md-footer__link").forEach(function (link) {
      var direction = link.querySelector(".md-footer__direction");
      var title = link.querySelector(".md-ellipsis");
      if (direction && title) {
        link.setAttribute(
          "aria-label",
          direction.textContent.trim() + ": " + title.textContent.trim()
        );
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fix);
  } else {
    fix();
  }
})();
