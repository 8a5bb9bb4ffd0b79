/*
 * The «Поиск» tab's behaviour: saving a line from the inline editor (PATCH
 * {api_base}/lines/{id}), the action buttons (POST {api_base}/actions/{name}, then GET
 * {api_base}/lines), progress, and frame fitting. Every request carries X-View-Token (RELIABILITY.md S10); every text reaches the
 * page through textContent (S9). Reads its settings from the #tab-config JSON block.
 */
(function () {
  "use strict";

  var render = window.B24bridgeTabRender;
  var editor = window.B24bridgeTabEditor;
  var frame = window.B24bridgeFrame;
  var config = JSON.parse(document.getElementById("tab-config").textContent);
  var strings = config.strings;
  var lines = config.lines.slice();
  var tbody = document.getElementById("lines-body");
  var statusLine = document.getElementById("action-status");

  // ---- talking to the tab API ----

  function request(method, path, body) {
    var options = {
      method: method,
      headers: { Accept: "application/json", "X-View-Token": config.view_token },
      credentials: "same-origin",
      cache: "no-store",
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(config.api_base + path, options).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (data) {
        return { ok: response.ok, data: data || {} };
      });
    });
  }

  function errorText(data) {
    return String((data && (data.error_description || data.error)) || strings.server_error);
  }

  function findLine(id) {
    for (var i = 0; i < lines.length; i += 1) {
      if (lines[i].id === id) {
        return i;
      }
    }
    return -1;
  }

  function showProgress(found, active) {
    document.getElementById("progress").textContent = render.progressText(strings, found, active);
  }

  function say(text, isError) {
    statusLine.textContent = text || "";
    statusLine.classList.toggle("is-error", Boolean(isError));
  }

  function closeEditor() {
    var open = tbody.querySelector("tr.b24b-editor-row");
    if (open) {
      open.remove();
    }
    tbody.querySelectorAll("tr.is-editing").forEach(function (row) {
      row.classList.remove("is-editing");
    });
  }

  function openEditor(row) {
    var index = findLine(Number(row.dataset.lineId));
    if (index < 0 || row.classList.contains("is-editing")) {
      return;
    }
    closeEditor();
    var line = lines[index];
    var editorRow = document.createElement("tr");
    editorRow.className = "b24b-editor-row";
    var td = document.createElement("td");
    td.colSpan = 12;
    var form = editor.buildEditor(line, strings, config.editable_statuses);
    td.appendChild(form);
    editorRow.appendChild(td);
    row.classList.add("is-editing");
    row.after(editorRow);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      saveLine(form, line);
    });
    form.querySelector("[data-dismiss]").addEventListener("click", closeEditor);
    form.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        closeEditor();
        row.focus();
      }
    });
    form.elements.namedItem("status").focus();
  }

  function setBusy(form, busy, message) {
    Array.prototype.forEach.call(form.querySelectorAll("button, input, select, textarea"), function (el) {
      el.disabled = busy;
    });
    var error = form.querySelector(".b24b-editor-error");
    error.textContent = message || "";
    error.classList.toggle("is-busy", busy);
  }

  function applySavedLine(data) {
    var index = findLine(data.line.id);
    if (index >= 0) {
      lines[index] = data.line;
    }
    var row = tbody.querySelector('tr[data-line-id="' + Number(data.line.id) + '"]');
    closeEditor();
    if (row) {
      row.replaceWith(render.buildRow(data.line, strings, config.lang));
    }
    showProgress(data.found, data.active);
    if (data.deal_stage_moved) {
      say(strings.stage_moved, false);
      frame.reloadData();
    }
  }

  function saveLine(form, line) {
    var changes = editor.changedFields(form, line);
    if (Object.keys(changes).length === 0) {
      closeEditor();
      return;
    }
    setBusy(form, true, strings.saving);
    request("PATCH", "/lines/" + encodeURIComponent(line.id), changes)
      .then(function (result) {
        if (result.ok && result.data.line) {
          applySavedLine(result.data);
        } else {
          setBusy(form, false, errorText(result.data));
        }
      })
      .catch(function () {
        setBusy(form, false, strings.network_error);
      });
  }

  // ---- the action buttons ----

  function actionButtons() {
    return document.querySelectorAll("[data-action], .b24b-inline button");
  }

  function reloadLines() {
    return request("GET", "/lines").then(function (result) {
      if (!result.ok) {
        say(errorText(result.data), true);
        return;
      }
      lines = (result.data.lines || []).slice();
      render.renderBody(tbody, lines, strings, config.lang);
      showProgress(result.data.found, result.data.active);
    });
  }

  function runAction(name, body) {
    actionButtons().forEach(function (el) {
      el.disabled = true;
    });
    say(strings.action_running, false);
    return request("POST", "/actions/" + encodeURIComponent(name), body)
      .then(function (result) {
        if (!result.ok) {
          say(errorText(result.data), true);
          return null;
        }
        say(result.data.message || "", false);
        frame.reloadData();
        return reloadLines();
      })
      .catch(function () {
        say(strings.network_error, true);
      })
      .then(function () {
        actionButtons().forEach(function (el) {
          el.disabled = false;
        });
      });
  }

  function discountAmount(raw) {
    var text = String(raw).replace(/[\s\u00a0]/g, "").replace(",", ".");
    if (!/^\d+(\.\d{1,2})?$/.test(text) || Number(text) <= 0) {
      return null;
    }
    var parts = text.split(".");
    return parts[0].replace(/^0+(?=\d)/, "") + "." + ((parts[1] || "") + "00").slice(0, 2);
  }

  function hideInlineForms() {
    document.querySelectorAll(".b24b-inline").forEach(function (form) {
      form.hidden = true;
    });
  }

  function showInlineForm(id) {
    hideInlineForms();
    var form = document.getElementById(id);
    form.hidden = false;
    var field = form.querySelector("input");
    (field || form.querySelector("button")).focus();
  }

  function wireInlineForms() {
    var discount = document.getElementById("discount-form");
    if (discount) {
      discount.addEventListener("submit", function (event) {
        event.preventDefault();
        var amount = discountAmount(document.getElementById("discount-amount").value);
        if (amount === null) {
          say(strings.discount_invalid, true);
          return;
        }
        hideInlineForms();
        runAction("apply_discount", { amount: amount });
      });
    }
    var clear = document.getElementById("clear-form");
    if (clear) {
      clear.addEventListener("submit", function (event) {
        event.preventDefault();
        hideInlineForms();
        runAction("clear_products", {});
      });
    }
    document.querySelectorAll(".b24b-inline [data-dismiss]").forEach(function (el) {
      el.addEventListener("click", hideInlineForms);
    });
  }

  function onActionClick(event) {
    var name = event.currentTarget.dataset.action;
    if (name === "apply_discount") {
      showInlineForm("discount-form");
    } else if (name === "clear_products") {
      showInlineForm("clear-form");
    } else {
      hideInlineForms();
      runAction(name, {});
    }
  }

  // ---- wiring ----

  function editableRow(target) {
    if (!(target instanceof Element) || target.closest("a, tr.b24b-editor-row")) {
      return null;
    }
    return target.closest("tr.b24b-line.is-editable");
  }

  tbody.addEventListener("click", function (event) {
    var row = editableRow(event.target);
    if (row) {
      openEditor(row);
    }
  });
  tbody.addEventListener("keydown", function (event) {
    var row = editableRow(event.target);
    if (row && event.target === row && event.key === "Enter") {
      event.preventDefault();
      openEditor(row);
    }
  });
  document.querySelectorAll("[data-action]").forEach(function (el) {
    el.addEventListener("click", onActionClick);
  });
  wireInlineForms();
  frame.configure(config);
  frame.watchSize(document.getElementById("app"));
})();
