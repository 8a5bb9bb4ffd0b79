/*
 * The «Поиск» tab's behaviour: saving a line from the inline editor (PATCH
 * {api_base}/lines/{id}; the card tab only, before the lock stage), the action buttons
 * (POST {api_base}/actions/{name}; the deal tab), «Документ» (POST {api_base}/proposal with
 * the chosen template, then the links of the proposal made), progress and frame fitting.
 * Background work is followed to its end (tab-jobs.js): an action shows «Готово: …» or the
 * refusal; the deal's sync (armed by opening the tab and by each save) ends in a re-read
 * of the lines (GET {api_base}/lines), which also tells whether the deal's stage moved.
 * Every request carries X-View-Token (RELIABILITY.md S10); every text reaches the page
 * through textContent (S9). Reads its settings from the #tab-config JSON block.
 */
(function () {
  "use strict";

  var render = window.B24bridgeTabRender;
  var editor = window.B24bridgeTabEditor;
  var frame = window.B24bridgeFrame;
  var config = JSON.parse(document.getElementById("tab-config").textContent);
  var strings = config.strings;
  var lines = config.lines.slice();
  var editable = Boolean(config.editable);
  var dealStage = config.deal_stage || "";
  var tbody = document.getElementById("lines-body");
  var statusLine = document.getElementById("action-status");
  var follow = window.B24bridgeTabJobs.follower(request, errorText);

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

  function showHint(text) {
    var hint = document.getElementById("hint");
    hint.textContent = text || "";
    hint.hidden = !text || lines.length === 0;
  }

  // ---- the deal's sync: re-read the lines when it ends ----

  var syncing = false;
  var syncAgain = false;
  var refreshWaiting = false;

  function followSync(jobId) {
    if (!jobId) {
      return;
    }
    if (syncing) {
      syncAgain = true;
      return;
    }
    syncing = true;
    follow(jobId, function () {
      syncing = false;
      reloadLines();
      if (syncAgain) {
        syncAgain = false;
        followSync(jobId);
      }
    });
  }

  function noteStage(data) {
    var stage = data.deal_stage || "";
    if (dealStage && stage && stage !== dealStage) {
      say(strings.stage_moved.replace("{stage}", data.deal_stage_title || stage), false);
      frame.reloadData();
    }
    dealStage = stage || dealStage;
  }

  function reloadLines() {
    if (tbody.querySelector("tr.b24b-editor-row")) {
      refreshWaiting = true; // never pull the form from under the buyer's hands
      return Promise.resolve();
    }
    return request("GET", "/lines").then(function (result) {
      if (!result.ok) {
        say(errorText(result.data), true);
        return;
      }
      lines = (result.data.lines || []).slice();
      editable = Boolean(result.data.editable);
      render.renderBody(tbody, lines, strings, config.lang, editable);
      showProgress(result.data.found, result.data.active);
      showHint(result.data.hint);
      noteStage(result.data);
    });
  }

  // ---- the inline editor ----

  function closeEditor() {
    var open = tbody.querySelector("tr.b24b-editor-row");
    if (open) {
      open.remove();
    }
    tbody.querySelectorAll("tr.is-editing").forEach(function (row) {
      row.classList.remove("is-editing");
    });
    if (refreshWaiting) {
      refreshWaiting = false;
      reloadLines();
    }
  }

  function wireEditor(form, row, line) {
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
  }

  function openEditor(row) {
    var index = findLine(Number(row.dataset.lineId));
    if (!editable || index < 0 || row.classList.contains("is-editing")) {
      return;
    }
    closeEditor();
    var line = lines[index];
    var editorRow = document.createElement("tr");
    editorRow.className = "b24b-editor-row";
    var td = document.createElement("td");
    td.colSpan = render.columns;
    var form = editor.buildEditor(line, strings, config.editable_statuses, config.field_limits);
    td.appendChild(form);
    editorRow.appendChild(td);
    row.classList.add("is-editing");
    row.after(editorRow);
    wireEditor(form, row, line);
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
      row.replaceWith(render.buildRow(data.line, strings, config.lang, editable));
    }
    showProgress(data.found, data.active);
    followSync(data.sync_job_id);
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

  function setActionsEnabled(enabled) {
    document.querySelectorAll("[data-action], .b24b-inline button").forEach(function (el) {
      el.disabled = !enabled;
    });
  }

  function actionEnded(job) {
    setActionsEnabled(true);
    if (job.state === "timeout") {
      say(strings.action_still_running, false);
      return;
    }
    say(job.text || strings.server_error, job.state !== "done");
    if (job.state === "done") {
      frame.reloadData();
      followSync(config.sync_job_id); // the action's changed rows reach the lines through it
    }
  }

  function runAction(name, body) {
    setActionsEnabled(false);
    say(strings.action_running, false);
    return request("POST", "/actions/" + encodeURIComponent(name), body)
      .then(function (result) {
        if (!result.ok || !result.data.job_id) {
          say(errorText(result.data), true);
          setActionsEnabled(true);
          return;
        }
        say(result.data.message || strings.action_running, false);
        follow(result.data.job_id, actionEnded);
      })
      .catch(function () {
        say(strings.network_error, true);
        setActionsEnabled(true);
      });
  }

  // ---- «Документ»: the commercial proposal ----

  function showProposal(latest) {
    var box = document.getElementById("proposal-links");
    if (!box || !latest) {
      return;
    }
    while (box.firstChild) {
      box.removeChild(box.firstChild);
    }
    var title = document.createElement("span");
    title.textContent = strings.proposal_latest.replace("{version}", latest.version);
    box.appendChild(title);
    [[latest.url, strings.proposal_open], [latest.pdf_url, strings.proposal_pdf]].forEach(function (pair) {
      var link = document.createElement("a");
      link.className = "b24b-link";
      link.href = pair[0];
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.textContent = pair[1];
      box.appendChild(link);
    });
    box.hidden = false;
  }

  function proposalEnded(jobId, job) {
    actionEnded(job);
    if (job.state !== "done") {
      return;
    }
    request("GET", "/proposal?job_id=" + encodeURIComponent(jobId)).then(function (result) {
      if (result.ok) {
        showProposal(result.data.latest);
      }
    });
  }

  function makeProposal(template) {
    setActionsEnabled(false);
    say(strings.proposal_running, false);
    return request("POST", "/proposal", { template: template })
      .then(function (result) {
        if (!result.ok || !result.data.job_id) {
          say(errorText(result.data), true);
          setActionsEnabled(true);
          return;
        }
        say(result.data.message || strings.proposal_running, false);
        follow(result.data.job_id, function (job) {
          proposalEnded(result.data.job_id, job);
        });
      })
      .catch(function () {
        say(strings.network_error, true);
        setActionsEnabled(true);
      });
  }

  function discountAmount(raw) {
    var text = String(raw).replace(/[\s\u00a0]/g, "").replace(",", ".");
    var match = /^(\d+)(?:\.(\d+))?$/.exec(text);
    if (!match || Number(text) <= 0) {
      return { error: strings.discount_invalid };
    }
    if ((match[2] || "").length > 2) {
      return { error: strings.discount_too_precise };
    }
    var whole = match[1].replace(/^0+(?=\d)/, "");
    if (whole.length > 15) {
      return { error: strings.discount_too_large };
    }
    return { amount: whole + "." + ((match[2] || "") + "00").slice(0, 2) };
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
        var parsed = discountAmount(document.getElementById("discount-amount").value);
        if (parsed.error) {
          say(parsed.error, true);
          return;
        }
        hideInlineForms();
        runAction("apply_discount", { amount: parsed.amount });
      });
    }
    var proposal = document.getElementById("proposal-form");
    if (proposal) {
      proposal.addEventListener("submit", function (event) {
        event.preventDefault();
        var chosen = proposal.querySelector('input[name="template"]:checked');
        hideInlineForms();
        makeProposal(chosen ? chosen.value : "new");
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
    } else if (name === "make_proposal") {
      showInlineForm("proposal-form");
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
  followSync(config.sync_job_id); // opening the tab re-reads the deal: show what it finds
})();
