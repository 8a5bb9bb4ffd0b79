/*
 * Builds the «Поиск» table rows from line data with DOM APIs only (createElement +
 * textContent): data never passes through innerHTML. Mirrors templates/tab/tab.html and
 * app/web/frame/i18n.py (number formats), so a row looks the same after an edit as after a reload.
 */
(function () {
  "use strict";

  var STATUSES = ["pending", "found", "not_found", "replacement", "cancelled_by_client"];
  var COLUMNS = 9;
  var PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

  function formatDecimal(text, lang) {
    var value = String(text);
    if (!PLAIN_DECIMAL.test(value)) {
      return value;
    }
    var sign = value.charAt(0) === "-" ? "-" : "";
    var parts = value.replace("-", "").split(".");
    var grouped = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var out = grouped + (parts.length > 1 ? "." + parts[1] : "");
    if (lang === "ru") {
      out = out.replace(/,/g, "\u00a0").replace(/\./g, ",");
    }
    return sign + out;
  }

  function formatMoney(text, currency, lang) {
    if (text === null || text === undefined || text === "") {
      return "";
    }
    var value = String(text);
    if (PLAIN_DECIMAL.test(value)) {
      var decimals = value.indexOf(".") < 0 ? 0 : value.length - value.indexOf(".") - 1;
      value = decimals === 0 ? value + ".00" : decimals === 1 ? value + "0" : value;
    }
    return (formatDecimal(value, lang) + " " + (currency || "")).trim();
  }

  function formatQuantity(text, lang) {
    var value = String(text);
    if (PLAIN_DECIMAL.test(value) && value.indexOf(".") >= 0) {
      value = value.replace(/0+$/, "").replace(/\.$/, "");
    }
    return formatDecimal(value, lang);
  }

  function linkUrl(value) {
    var url;
    try {
      url = new URL(String(value || "").trim());
    } catch (error) {
      return null;
    }
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname ? url : null;
  }

  function imageUrl(value) {
    var url = linkUrl(value);
    return url && url.protocol === "https:" ? url : null;
  }

  function cell(className, content) {
    var td = document.createElement("td");
    if (className) {
      td.className = className;
    }
    [].concat(content).forEach(function (part) {
      if (part instanceof Node) {
        td.appendChild(part);
      } else if (part !== null && part !== undefined) {
        td.appendChild(document.createTextNode(String(part)));
      }
    });
    return td;
  }

  function span(className, text) {
    var element = document.createElement("span");
    element.className = className;
    element.textContent = String(text);
    return element;
  }

  function present(value) {
    return value !== null && value !== undefined && value !== "";
  }

  function externalLink(url, child) {
    var link = document.createElement("a");
    link.href = url.href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.appendChild(child);
    return link;
  }

  function supplierCell(line, strings) {
    var parts = [present(line.supplier) ? span("b24b-supplier", line.supplier) : null];
    var url = linkUrl(line.supplier_url);
    if (url) {
      var link = externalLink(url, document.createTextNode(url.hostname));
      link.className = "b24b-link";
      link.title = url.href;
      parts.push(link);
      if (Number(line.clicks) > 0) {
        parts.push(span("b24b-clicks b24b-muted", strings.clicks_value.replace("{n}", line.clicks)));
      }
    } else if (present(line.supplier_url)) {
      parts.push(span("b24b-link b24b-muted", line.supplier_url));
    }
    return cell("c-supplier", parts);
  }

  function batchCell(line, strings) {
    return cell("c-num c-batch", [
      present(line.moq) ? span("b24b-moq", strings.moq_value.replace("{n}", line.moq)) : null,
      present(line.lead_time_days)
        ? span("b24b-lead", strings.lead_value.replace("{n}", line.lead_time_days))
        : null,
    ]);
  }

  function commentCell(line, strings) {
    var parts = [present(line.comment) ? span("b24b-comment", line.comment) : null];
    if (present(line.replacement_note)) {
      var note = document.createElement("span");
      note.className = "b24b-replacement";
      note.appendChild(span("b24b-muted", strings.col_replacement + ":"));
      note.appendChild(document.createTextNode(" " + line.replacement_note));
      parts.push(note);
    }
    return cell("c-text", parts);
  }

  function photoCell(line) {
    var url = imageUrl(line.photo_url);
    if (!url) {
      return cell("c-photo", null);
    }
    var image = document.createElement("img");
    image.className = "b24b-thumb";
    image.src = url.href;
    image.alt = "";
    image.loading = "lazy";
    image.referrerPolicy = "no-referrer";
    return cell("c-photo", externalLink(url, image));
  }

  function nameCell(line, cancelled) {
    if (!cancelled) {
      return cell("c-name", line.name);
    }
    var struck = document.createElement("s");
    struck.textContent = line.name;
    return cell("c-name", struck);
  }

  function statusCell(status, strings) {
    var badge = document.createElement("span");
    badge.className = "b24b-badge status-" + status;
    badge.textContent = strings["status_" + status] || status;
    return cell("c-status", badge);
  }

  function buildRow(line, strings, lang, editable) {
    var status = STATUSES.indexOf(line.status) >= 0 ? line.status : "pending";
    var cancelled = status === "cancelled_by_client";
    var row = document.createElement("tr");
    var state = cancelled ? " is-cancelled" : editable ? " is-editable" : "";
    row.className = "b24b-line status-" + status + state;
    row.dataset.lineId = String(line.id);
    if (cancelled) {
      row.title = strings.cancelled_hint;
    } else if (editable) {
      row.tabIndex = 0;
    }
    [
      cell("c-pos", line.position),
      nameCell(line, cancelled),
      cell("c-num", formatQuantity(line.quantity, lang)),
      statusCell(status, strings),
      supplierCell(line, strings),
      cell("c-num", formatMoney(line.unit_price, line.currency, lang)),
      batchCell(line, strings),
      photoCell(line),
      commentCell(line, strings),
    ].forEach(function (td) {
      row.appendChild(td);
    });
    return row;
  }

  function emptyRow(strings, columns) {
    var row = document.createElement("tr");
    row.className = "b24b-empty";
    var td = cell(null, strings.no_lines);
    td.colSpan = columns;
    row.appendChild(td);
    return row;
  }

  function renderBody(tbody, lines, strings, lang, editable) {
    var rows = lines.map(function (line) {
      return buildRow(line, strings, lang, editable);
    });
    tbody.replaceChildren.apply(tbody, rows.length ? rows : [emptyRow(strings, COLUMNS)]);
  }

  function progressText(strings, found, active) {
    return strings.progress
      .replace("{found}", String(Number(found) || 0))
      .replace("{active}", String(Number(active) || 0));
  }

  window.B24bridgeTabRender = {
    columns: COLUMNS,
    buildRow: buildRow,
    renderBody: renderBody,
    progressText: progressText,
    formatDecimal: formatDecimal,
    formatMoney: formatMoney,
    formatQuantity: formatQuantity,
    linkUrl: linkUrl,
  };
})();
