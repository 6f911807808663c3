/* ownbook: small fixes to Material's markup, made in the page instead of by copying whole
   partials (a copied partial falls behind the theme and breaks other engines), and the
   reading aids of RACI tables and diagrams:
   - the search dialog gets an accessible name (axe: aria-dialog-name);
   - the footer's previous/next links are labelled from their visible titles: page titles
     reach the theme already HTML-escaped, and the partial escapes them once more;
   - a glossary term's definition opens on the side of the term that has room. */
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

  /* Tables: each cell learns the name of its column, so that on a phone a row of any table
     of three columns or more reads as a list of "Column: value" (a RACI row as "Team:
     letters"); a table or diagram wider than its box says that it scrolls. */
  function tables() {
    document.querySelectorAll(".md-typeset table").forEach(function (table) {
      if (!table.tHead || !table.tBodies.length) return;
      var raci = !!table.querySelector(".ob-letter");
      if (raci) table.classList.add("ob-raci");
      if (!raci && table.tHead.rows[0].cells.length < 3) return;
      table.setAttribute("data-ob-list", "");
      var names = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) {
        return th.textContent.replace("\u2195", "").trim();
      });
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, column) {
          if (column > 0) cell.setAttribute("data-label", names[column] || "");
          if (column > 0 && !cell.textContent.trim()) cell.classList.add("ob-empty");
        });
      });
    });
  }

  function cues() {
    var boxes = document.querySelectorAll(
      ".md-typeset__scrollwrap:has(table.ob-raci), .ob-diagram"
    );
    boxes.forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 2;
      box.classList.toggle("ob-scrolls", scrolls);
      // A box that scrolls can be scrolled from the keyboard: it takes focus (axe:
      // scrollable-region-focusable), named for what it holds.
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute(
          "aria-label",
          box.classList.contains("ob-diagram") ? "Diagram, wider than the page" : "Wide table"
        );
        box.setAttribute("data-ob-focusable", "");
      } else if (!scrolls && box.hasAttribute("data-ob-focusable")) {
        ["tabindex", "role", "aria-label", "data-ob-focusable"].forEach(function (name) {
          box.removeAttribute(name);
        });
      }
      var cue = box.previousElementSibling;
      var has = cue && cue.classList && cue.classList.contains("ob-scroll-cue");
      if (scrolls && !has) {
        cue = document.createElement("p");
        cue.className = "ob-scroll-cue";
        cue.textContent = "Wider than the page: scroll sideways to see all of it \u2192";
        box.parentNode.insertBefore(cue, box);
      } else if (!scrolls && has) {
        cue.remove();
      }
    });
  }

  /* A glossary term in the right half of the page opens its definition leftwards, so the
     definition stays on the screen (CSS shows it; this only picks the side). */
  function terms(event) {
    var term = event.target.closest && event.target.closest(".ob-term");
    if (!term) return;
    var box = term.getClientRects()[0] || term.getBoundingClientRect();
    term.classList.toggle("ob-term-left", box.left > window.innerWidth / 2);
  }

  function start() {
    fix();
    tables();
    cues();
    window.addEventListener("resize", cues);
    document.addEventListener("mouseover", terms);
    document.addEventListener("focusin", terms);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
