/*
 * The inline line editor of the «Поиск» tab: builds the form (DOM APIs only — values go
 * into .value and .textContent, never markup) and works out which fields changed, in the
 * shapes the tab API takes: unit_price as a decimal string, moq and lead time as integers.
 * Each input's maxlength comes from the page config (config.field_limits), which the server
 * reads from the model that validates the entry, so the two never disagree.
 */
(function () {
  "use strict";

  var FIELDS = [
    { name: "supplier", kind: "text" },
    { name: "supplier_url", kind: "text" },
    { name: "unit_price", kind: "decimal" },
    { name: "currency", kind: "text" },
    { name: "moq", kind: "int" },
    { name: "lead_time_days", kind: "int" },
    { name: "photo_url", kind: "text" },
    { name: "replacement_note", kind: "text" },
    { name: "comment", kind: "textarea" },
  ];

  function fieldValue(kind, raw) {
    var text = String(raw).trim();
    if (kind === "decimal") {
      return text === "" ? null : text.replace(/[\s\u00a0]/g, "").replace(",", ".");
    }
    if (kind === "int") {
      return text === "" ? null : /^\d+$/.test(text) ? Number(text) : text;
    }
    return text;
  }

  function sameValue(a, b) {
    var left = a === undefined || a === "" ? null : a;
    var right = b === undefined || b === "" ? null : b;
    return String(left) === String(right);
  }

  function labelled(text, control) {
    var label = document.createElement("label");
    label.className = "b24b-field";
    var caption = document.createElement("span");
    caption.textContent = text;
    label.appendChild(caption);
    label.appendChild(control);
    return label;
  }

  function statusSelect(current, strings, statuses) {
    var select = document.createElement("select");
    select.name = "status";
    statuses.forEach(function (status) {
      var option = document.createElement("option");
      option.value = status;
      option.textContent = strings["status_" + status] || status;
      option.selected = status === current;
      select.appendChild(option);
    });
    return select;
  }

  function inputFor(field, line, limits) {
    var input = document.createElement(field.kind === "textarea" ? "textarea" : "input");
    input.name = field.name;
    if (limits && limits[field.name]) {
      input.maxLength = Number(limits[field.name]);
    }
    var value = line[field.name];
    input.value = value === null || value === undefined ? "" : String(value);
    if (field.kind === "decimal") {
      input.inputMode = "decimal";
    } else if (field.kind === "int") {
      input.inputMode = "numeric";
    }
    if (field.kind === "textarea") {
      input.rows = 2;
    } else {
      input.autocomplete = "off";
    }
    return input;
  }

  function button(text, type, className) {
    var element = document.createElement("button");
    element.type = type;
    element.className = "b24b-button" + (className ? " " + className : "");
    element.textContent = text;
    return element;
  }

  function buildEditor(line, strings, statuses, limits) {
    var form = document.createElement("form");
    form.className = "b24b-editor";
    var grid = document.createElement("div");
    grid.className = "b24b-editor-grid";
    grid.appendChild(labelled(strings.field_status, statusSelect(line.status, strings, statuses)));
    FIELDS.forEach(function (field) {
      grid.appendChild(labelled(strings["field_" + field.name], inputFor(field, line, limits)));
    });
    var bar = document.createElement("div");
    bar.className = "b24b-editor-bar";
    bar.appendChild(button(strings.save, "submit", "b24b-primary"));
    var cancel = button(strings.cancel, "button");
    cancel.dataset.dismiss = "";
    bar.appendChild(cancel);
    var error = document.createElement("p");
    error.className = "b24b-editor-error";
    error.setAttribute("role", "alert");
    bar.appendChild(error);
    form.appendChild(grid);
    form.appendChild(bar);
    return form;
  }

  function changedFields(form, line) {
    var changes = {};
    var status = form.elements.namedItem("status").value;
    if (status !== line.status) {
      changes.status = status;
    }
    FIELDS.forEach(function (field) {
      var value = fieldValue(field.kind, form.elements.namedItem(field.name).value);
      if (!sameValue(value, line[field.name])) {
        changes[field.name] = value;
      }
    });
    return changes;
  }

  window.B24bridgeTabEditor = {
    buildEditor: buildEditor,
    changedFields: changedFields,
  };
})();
