/*
 * Builds the «Поиск» table rows from line data with DOM APIs only (createElement +
 * textContent): data never passes through innerHTML. Mirrors templates/tab/tab.html and
 * app/web/frame/i18n.py (number formats), so a row looks the same after an edit as after a reload.
 */
(function () {
  "use strict";

  var STATUSES = ["pending", "found", "not_found", "replacement", "cancelled_by_client"];
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
    if (content instanceof Node) {
      td.appendChild(content);
    } else if (content !== null && content !== undefined) {
      td.textContent = String(content);
    }
    return td;
  }

  function externalLink(url, child) {
    var link = document.createElement("a");
    link.href = url.href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.appendChild(child);
    return link;
  }

  function supplierLinkCell(line) {
    var url = linkUrl(line.supplier_url);
    if (!url) {
      return cell("c-url", line.supplier_url || "");
    }
    var link = externalLink(url, document.createTextNode(url.hostname));
    link.title = url.href;
    return cell("c-url", link);
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
    return cell(null, badge);
  }

  function buildRow(line, strings, lang) {
    var status = STATUSES.indexOf(line.status) >= 0 ? line.status : "pending";
    var cancelled = status === "cancelled_by_client";
    var row = document.createElement("tr");
    row.className = "b24b-line status-" + status + (cancelled ? " is-cancelled" : " is-editable");
    row.dataset.lineId = String(line.id);
    if (cancelled) {
      row.title = strings.cancelled_hint;
    } else {
      row.tabIndex = 0;
    }
    [
      cell("c-pos", line.position),
      nameCell(line, cancelled),
      cell("c-num", formatQuantity(line.quantity, lang)),
      statusCell(status, strings),
      cell(null, line.supplier || ""),
      supplierLinkCell(line),
      cell("c-num", formatMoney(line.unit_price, line.currency, lang)),
      cell("c-num", line.moq === null || line.moq === undefined ? "" : line.moq),
      cell("c-num", line.lead_time_days === null || line.lead_time_days === undefined ? "" : line.lead_time_days),
      photoCell(line),
      cell("c-text", line.comment || ""),
      cell("c-text", line.replacement_note || ""),
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

  function renderBody(tbody, lines, strings, lang) {
    var rows = lines.map(function (line) {
      return buildRow(line, strings, lang);
    });
    tbody.replaceChildren.apply(tbody, rows.length ? rows : [emptyRow(strings, 12)]);
  }

  function progressText(strings, found, active) {
    return strings.progress
      .replace("{found}", String(Number(found) || 0))
      .replace("{active}", String(Number(active) || 0));
  }

  window.B24bridgeTabRender = {
    buildRow: buildRow,
    renderBody: renderBody,
    progressText: progressText,
    formatDecimal: formatDecimal,
    formatMoney: formatMoney,
    formatQuantity: formatQuantity,
    linkUrl: linkUrl,
  };
})();
