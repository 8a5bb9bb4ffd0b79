/*
 * The reports section of the settings page: GET {api_base}?month_from=&month_to= shows
 * the tables, GET {api_base}/export.xlsx downloads the workbook. Every request carries
 * X-View-Token; every text comes from the section's config.strings (read as `words`).
 * The bonus settings (a JSON object) are saved with PUT {settings api_base}, which checks
 * them whole and answers the first problem;
 * nodes are built with createElement and textContent only.
 */
(function () {
  "use strict";

  var settings = JSON.parse(document.getElementById("settings-config").textContent);
  var node = document.getElementById("reports-config");
  if (!node || !document.getElementById("report-show")) {
    return;
  }
  var config = JSON.parse(node.textContent);
  var words = config.strings;

  function query() {
    var params = new URLSearchParams({
      month_from: document.getElementById("report-from").value,
      month_to: document.getElementById("report-to").value,
    });
    return "?" + params.toString();
  }

  function get(path) {
    return fetch(config.api_base + path + query(), {
      headers: { "X-View-Token": settings.view_token },
      credentials: "omit",
    }).then(function (response) {
      if (!response.ok) {
        return response.json().then(function (data) {
          throw new Error(data.error_description || words.network_error);
        });
      }
      return response;
    });
  }

  function say(text, isError) {
    var status = document.getElementById("report-status");
    status.textContent = text;
    status.classList.toggle("b24b-danger", Boolean(isError));
  }

  function rubles(kopecks) {
    return (kopecks / 100).toLocaleString(settings.lang === "en" ? "en-US" : "ru-RU", {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
  }

  function table(title, columns, money, rows) {
    var box = document.createElement("div");
    var heading = document.createElement("h3");
    heading.textContent = title;
    box.appendChild(heading);
    var grid = document.createElement("table");
    var head = grid.insertRow();
    columns.forEach(function (column) {
      var cell = document.createElement("th");
      cell.textContent = words[column];
      head.appendChild(cell);
    });
    rows.forEach(function (row) {
      var line = grid.insertRow();
      columns.forEach(function (column) {
        var value = row[column];
        line.insertCell().textContent = money.indexOf(column) >= 0 ? rubles(value) : String(value);
      });
    });
    box.appendChild(grid);
    return box;
  }

  function show(data) {
    var tables = document.getElementById("report-tables");
    tables.replaceChildren(
      table(words.managers, ["month", "manager", "office", "accrued", "annulled", "salary", "bonus", "fine"],
        ["accrued", "annulled", "salary", "bonus", "fine"],
        data.managers.map(function (r) { return Object.assign({ manager: r.manager_id }, r); })),
      table(words.offices, ["month", "office", "payment", "change", "refund", "collection"],
        ["payment", "change", "refund", "collection"], data.offices),
      table(words.balances, ["account", "office", "balance"], ["balance"],
        data.balances.map(function (b) {
          return { account: b.title, office: b.office, balance: b.balance_kopecks };
        }))
    );
    say(data.managers.length || data.offices.length ? "" : words.empty, false);
  }

  function sayBonus(text, isError) {
    var status = document.getElementById("bonus-status");
    status.textContent = text;
    status.classList.toggle("b24b-danger", Boolean(isError));
  }

  document.getElementById("bonus-save").addEventListener("click", function () {
    var body;
    try {
      body = JSON.parse(document.getElementById("bonus-settings").value || "{}");
    } catch (error) {
      body = null;
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      sayBonus(words.settings_json_error, true);
      return;
    }
    fetch(settings.api_base, {
      method: "PUT",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-View-Token": settings.view_token,
      },
      credentials: "omit",
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error(data.error_description || words.network_error);
        }
        sayBonus(words.settings_saved, false);
      });
    }).catch(function (error) {
      sayBonus(error.message, true);
    });
  });

  document.getElementById("report-show").addEventListener("click", function () {
    get("").then(function (response) { return response.json(); }).then(show, function (error) {
      say(error.message, true);
    });
  });

  document.getElementById("report-export").addEventListener("click", function () {
    get("/export.xlsx").then(function (response) { return response.blob(); }).then(function (blob) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "b24bridge-report.xlsx";
      link.click();
      URL.revokeObjectURL(link.href);
    }, function (error) {
      say(error.message, true);
    });
  });
})();
