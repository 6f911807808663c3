/* ownbook: the interactive RACI matrix.
 *
 * Filters by stage, team, letter and text, sorts by any column, collapses stages, keeps the
 * state in the page's query string (so a filtered view can be shared as a link) and prints.
 * It reads what each row holds from the row's `span.ob-row` (data-stages, data-held) that
 * ownbook writes, so it works for both table layouts. No network, no library: it runs
 * offline and from file://. Without JavaScript the page shows the full tables.
 *
 * Ids come from the model and values from the address, and neither is trusted: ids are
 * only ever keys of a Map or members of a Set (never properties of a plain object, where
 * `constructor` or `__proto__` would find Object.prototype), and a stage, team or stage
 * section named in the address is used only when it is one of the page's own; any other
 * value is dropped (the view shows everything, as its controls then say).
 */
(function () {
  "use strict";

  var LETTERS = ["R", "A", "C", "I"];
  var LETTER_NAMES = new Map([["R", "Responsible"], ["A", "Accountable"], ["C", "Consulted"], ["I", "Informed"]]);
  var RANK = new Map([["A", 0], ["R", 1], ["C", 2], ["I", 3]]);

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  /* The filter in the address, each value kept only when it is one the page offers. */
  function readState(known) {
    var params = new URLSearchParams(window.location.search);
    var stage = params.get("stage") || "";
    var team = params.get("team") || "";
    var sort = params.get("sort");
    var column = sort === null || sort === "" ? -1 : Number(sort);
    if (!Number.isInteger(column) || column < 0) column = -1;
    return {
      stage: known.stages.has(stage) ? stage : "",
      team: known.teams.has(team) ? team : "",
      letters: LETTERS.filter(function (x) {
        return (params.get("letter") || "").toUpperCase().indexOf(x) >= 0;
      }),
      q: params.get("q") || "",
      sort: column,
      desc: params.get("desc") === "1",
      collapsed: (params.get("collapsed") || "").split(",").filter(function (id) {
        return known.sections.has(id);
      })
    };
  }

  function writeState(state) {
    var params = new URLSearchParams(window.location.search);
    var values = {
      stage: state.stage,
      team: state.team,
      letter: state.letters.join(""),
      q: state.q,
      sort: state.sort >= 0 ? String(state.sort) : "",
      desc: state.sort >= 0 && state.desc ? "1" : "",
      collapsed: state.collapsed.join(",")
    };
    Object.keys(values).forEach(function (key) {
      if (values[key]) params.set(key, values[key]);
      else params.delete(key);
    });
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    try {
      window.history.replaceState(null, "", url);
    } catch (e) {
      /* some browsers refuse history changes on file:// pages; the view still works */
    }
  }

  /* Every matrix section: its heading, its table and, for each row, what it holds. */
  function readSections(filters) {
    var sections = [];
    var node = filters.nextElementSibling;
    var current = null;
    while (node) {
      if (node.tagName === "H2") {
        current = { heading: node, id: node.id, blocks: [], rows: [], table: null };
        sections.push(current);
      } else if (current) {
        current.blocks.push(node);
        var table = node.querySelector ? node.querySelector("table") : null;
        if (node.tagName === "TABLE") table = node;
        if (table && !current.table) current.table = table;
      }
      node = node.nextElementSibling;
    }
    return sections.filter(function (section) {
      if (!section.table || !section.table.querySelector(".ob-row")) return false;
      var body = section.table.tBodies[0];
      section.body = body;
      section.rows = Array.prototype.map.call(body.rows, function (tr, index) {
        var marker = tr.querySelector(".ob-row");
        var held = new Map();  // team id -> letters it holds in this row
        (marker.getAttribute("data-held") || "").split(" ").filter(Boolean).forEach(function (item) {
          var cut = item.lastIndexOf(":");
          var team = item.slice(0, cut).split("/")[0];
          if (!held.has(team)) held.set(team, []);
          held.get(team).push(item.slice(cut + 1));
        });
        return {
          tr: tr,
          index: index,
          stages: (marker.getAttribute("data-stages") || "").split(" "),
          held: held,
          text: tr.cells[0].textContent.toLowerCase()
        };
      });
      section.headers = Array.prototype.slice.call(section.table.tHead.rows[0].cells);
      section.teamColumns = section.headers.map(function (th) {
        var link = th.querySelector("a[href]");
        if (!link) return null;
        var match = /teams\/([a-z0-9-]+)_?\.html$|teams\/([a-z0-9-]+)_?\/?$/.exec(link.getAttribute("href"));
        return match ? match[1] || match[2] : null;
      });
      return true;
    });
  }

  function rowShown(row, state) {
    if (state.stage && row.stages.indexOf(state.stage) < 0) return false;
    if (state.q && row.text.indexOf(state.q.toLowerCase()) < 0) return false;
    var teams = state.team ? [state.team] : Array.from(row.held.keys());
    if (state.team && !row.held.has(state.team)) return false;
    if (state.letters.length) {
      return teams.some(function (team) {
        return (row.held.get(team) || []).some(function (x) { return state.letters.indexOf(x) >= 0; });
      });
    }
    return true;
  }

  function cellKey(section, row, column) {
    var cell = row.tr.cells[column];
    if (!cell) return "";
    if (section.teamColumns[column]) {
      var letters = Array.prototype.map.call(cell.querySelectorAll(".ob-letter"), function (x) {
        var rank = RANK.get(x.textContent.trim());
        return rank === undefined ? 9 : rank;
      });
      return letters.length ? Math.min.apply(null, letters) : 9;
    }
    return cell.textContent.trim().toLowerCase();
  }

  function sortSection(section, state) {
    var rows = section.rows.slice();
    if (state.sort >= 0 && state.sort < section.headers.length) {
      rows.sort(function (a, b) {
        var x = cellKey(section, a, state.sort);
        var y = cellKey(section, b, state.sort);
        var order = x < y ? -1 : x > y ? 1 : a.index - b.index;
        return state.desc ? -order : order;
      });
    } else {
      rows.sort(function (a, b) { return a.index - b.index; });
    }
    rows.forEach(function (row) { section.body.appendChild(row.tr); });
    section.headers.forEach(function (th, column) {
      var sorted = column === state.sort;
      th.setAttribute("aria-sort", sorted ? (state.desc ? "descending" : "ascending") : "none");
    });
  }

  function apply(sections, state, status) {
    var shown = 0;
    var total = 0;
    sections.forEach(function (section) {
      var visible = 0;
      section.rows.forEach(function (row) {
        var show = rowShown(row, state);
        row.tr.hidden = !show;
        visible += show ? 1 : 0;
      });
      shown += visible;
      total += section.rows.length;
      // With a team chosen, only its column stays, so the matrix fits a phone.
      section.teamColumns.forEach(function (team, column) {
        var hide = Boolean(state.team && team && team !== state.team);
        section.headers[column].hidden = hide;
        section.rows.forEach(function (row) {
          if (row.tr.cells[column]) row.tr.cells[column].hidden = hide;
        });
      });
      sortSection(section, state);
      var collapsed = state.collapsed.indexOf(section.id) >= 0;
      var empty = visible === 0;
      section.heading.hidden = empty;
      section.blocks.forEach(function (block) { block.hidden = empty || collapsed; });
      section.toggle.setAttribute("aria-expanded", String(!collapsed));
      section.toggle.textContent = collapsed ? "Show" : "Hide";
    });
    status.textContent = shown === total
      ? "Showing all " + total + " activities."
      : "Showing " + shown + " of " + total + " activities.";
    writeState(state);
  }

  /* [[id, name], ...] from a data attribute ownbook wrote; anything else gives no options. */
  function idNamePairs(text) {
    var list;
    try {
      list = JSON.parse(text || "[]");
    } catch (e) {
      return [];
    }
    return Array.isArray(list) ? list.filter(function (x) {
      return Array.isArray(x) && typeof x[0] === "string" && typeof x[1] === "string";
    }) : [];
  }

  function select(id, label, options, value) {
    var control = el("select", { id: id });
    options.forEach(function (option) {
      var item = el("option", { value: option[0], text: option[1] });
      if (option[0] === value) item.selected = true;
      control.appendChild(item);
    });
    return [el("label", { "for": id, text: label }), control];
  }

  function init() {
    var filters = document.getElementById("ob-matrix-filters");
    if (!filters || filters.getAttribute("data-ready")) return;
    filters.setAttribute("data-ready", "1");
    var teams = idNamePairs(filters.getAttribute("data-teams"));
    var stages = idNamePairs(filters.getAttribute("data-stages"));
    var sections = readSections(filters);
    var state = readState({
      teams: new Set(teams.map(function (x) { return x[0]; })),
      stages: new Set(stages.map(function (x) { return x[0]; })),
      sections: new Set(sections.map(function (x) { return x.id; }))
    });

    var stageControl = select("ob-filter-stage", "Stage", [["", "All stages"]].concat(stages), state.stage);
    var teamControl = select("ob-filter-team", "Team", [["", "All teams"]].concat(teams), state.team);
    var text = el("input", { id: "ob-filter-text", type: "search", placeholder: "Activity name", value: state.q });
    var letterBoxes = LETTERS.map(function (letter) {
      var box = el("input", { type: "checkbox", value: letter, id: "ob-filter-letter-" + letter });
      box.checked = state.letters.indexOf(letter) >= 0;
      return el("label", { "class": "ob-filter-letter", "for": box.id, title: LETTER_NAMES.get(letter) }, [
        box,
        el("span", { "class": "ob-letter ob-" + letter.toLowerCase(), text: letter })
      ]);
    });
    var reset = el("button", { type: "button", "class": "md-button", text: "Show everything" });
    var print = el("button", { type: "button", "class": "md-button", text: "Print" });
    var status = el("p", { "class": "ob-filter-status", role: "status", "aria-live": "polite" });

    var form = el("form", { "class": "ob-filter-form", role: "search", "aria-label": "Filter the matrix" }, [
      el("div", { "class": "ob-filter-field" }, stageControl),
      el("div", { "class": "ob-filter-field" }, teamControl),
      el("div", { "class": "ob-filter-field" }, [el("label", { "for": "ob-filter-text", text: "Find" }), text]),
      el("fieldset", { "class": "ob-filter-field ob-filter-letters" }, [el("legend", { text: "Letters" })].concat(letterBoxes)),
      el("div", { "class": "ob-filter-buttons" }, [reset, print])
    ]);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    filters.appendChild(form);
    filters.appendChild(status);

    sections.forEach(function (section) {
      section.toggle = el("button", {
        type: "button",
        "class": "ob-collapse",
        title: "Hide or show this stage's table"
      });
      section.toggle.addEventListener("click", function () {
        var at = state.collapsed.indexOf(section.id);
        if (at >= 0) state.collapsed.splice(at, 1);
        else state.collapsed.push(section.id);
        apply(sections, state, status);
      });
      section.heading.appendChild(section.toggle);
      section.headers.forEach(function (th, column) {
        var button = el("button", { type: "button", "class": "ob-sort", title: "Sort by this column" });
        while (th.firstChild) button.appendChild(th.firstChild);
        // A header that is a team link keeps the link; the button sorts.
        var link = button.querySelector("a");
        if (link) {
          th.appendChild(link);
          button.textContent = "";
          button.setAttribute("aria-label", "Sort by " + link.textContent);
        }
        button.appendChild(el("span", { "class": "ob-sort-mark", "aria-hidden": "true", text: "↕" }));
        th.appendChild(button);
        button.addEventListener("click", function () {
          state.desc = state.sort === column ? !state.desc : false;
          state.sort = column;
          apply(sections, state, status);
        });
      });
    });

    stageControl[1].addEventListener("change", function () { state.stage = this.value; apply(sections, state, status); });
    teamControl[1].addEventListener("change", function () { state.team = this.value; apply(sections, state, status); });
    text.addEventListener("input", function () { state.q = this.value.trim(); apply(sections, state, status); });
    letterBoxes.forEach(function (label) {
      label.querySelector("input").addEventListener("change", function () {
        state.letters = letterBoxes
          .map(function (x) { return x.querySelector("input"); })
          .filter(function (x) { return x.checked; })
          .map(function (x) { return x.value; });
        apply(sections, state, status);
      });
    });
    reset.addEventListener("click", function () {
      state = { stage: "", team: "", letters: [], q: "", sort: -1, desc: false, collapsed: [] };
      stageControl[1].value = "";
      teamControl[1].value = "";
      text.value = "";
      letterBoxes.forEach(function (x) { x.querySelector("input").checked = false; });
      apply(sections, state, status);
    });
    print.addEventListener("click", function () { window.print(); });
    apply(sections, state, status);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
