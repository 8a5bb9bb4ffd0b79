/*
 * The exchange section of the settings page: GET {api_base}/nodes fills the table; the
 * add form POSTs {api_base}/nodes and shows the credentials once; a row's buttons rotate
 * the password, disable the node and list its feeds (GET …/nodes/{id}/feeds), where an
 * incoming feed can be replayed (POST …/feeds/{id}/replay). Every request carries
 * X-View-Token; every text comes from config.strings (`words`); the server's refusal
 * (error_description) is shown as it is. Nodes are built with createElement/textContent.
 */
(function () {
  "use strict";

  var settings = JSON.parse(document.getElementById("settings-config").textContent);
  var holder = document.getElementById("exchange-config");
  if (!holder || !document.getElementById("exchange-nodes")) {
    return;
  }
  var config = JSON.parse(holder.textContent);
  var words = config.strings;

  function call(method, path, body) {
    var headers = { Accept: "application/json", "X-View-Token": settings.view_token };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    return fetch(config.api_base + path, {
      method: method,
      headers: headers,
      credentials: "omit",
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          throw new Error(data.error_description || words.network_error);
        }
        return data;
      });
    }, function () {
      throw new Error(words.network_error);
    });
  }

  function say(text, isError) {
    var status = document.getElementById("exchange-status");
    status.textContent = text;
    status.classList.toggle("b24b-bad", Boolean(isError));
  }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    if (className) {
      node.className = className;
    }
    return node;
  }

  function button(text, handler) {
    var node = el("button", text, "b24b-button");
    node.type = "button";
    node.addEventListener("click", handler);
    return node;
  }

  function russian(text) {
    return text ? String(text).split(" / ")[0] : "";
  }

  function categoryName(id) {
    if (id === null || id === undefined) {
      return "—";
    }
    var option = document.querySelector('#exchange-add [data-node="deal_category_id"] option[value="' + Number(id) + '"]');
    return option ? option.textContent : String(id);
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString("ru-RU") : words.never;
  }

  var COLUMNS = ["name", "kind", "direction", "category", "col_company", "col_cutoff",
    "col_push_url", "enabled", "last", "result", "col_pending", ""];

  function row(grid, node) {
    var line = grid.insertRow();
    line.dataset.node = node.id;
    [node.name, words["col_kind_" + node.kind] || node.kind, words["direction_" + node.direction],
      categoryName(node.deal_category_id),
      node.company_id === null ? "—" : node.company_id, node.cutoff || "—", node.push_url || "—",
      node.enabled ? words.yes : words.no, when(node.last_exchange_at), russian(node.last_result) || "—",
      node.pending_changes].forEach(function (value) {
      line.insertCell().textContent = String(value);
    });
    var actions = line.insertCell();
    actions.className = "c-actions";
    actions.appendChild(button(words.feeds, function () { feeds(node); }));
    if (node.enabled) {
      actions.appendChild(button(words.rotate, function () { rotate(node); }));
      actions.appendChild(button(words.disable, function () { disable(node); }));
    }
  }

  function load(message) {
    return call("GET", "/nodes").then(function (data) {
      var grid = document.getElementById("exchange-nodes");
      grid.replaceChildren();
      var head = grid.insertRow();
      COLUMNS.forEach(function (key) { head.appendChild(el("th", key ? words[key] : "")); });
      data.nodes.forEach(function (node) { row(grid, node); });
      say(message || (data.nodes.length ? "" : words.empty), false);
    }).catch(function (error) { say(error.message, true); });
  }

  function pair(box, label, value) {
    var line = el("div");
    line.appendChild(el("span", label + ": "));
    line.appendChild(el("code", value));
    box.appendChild(line);
  }

  function showCredentials(shown, kind) {
    var box = document.getElementById("exchange-credentials");
    box.replaceChildren(el("strong", words.credentials));
    pair(box, kind === "1c" ? words.url_1c : words.url_rpc, shown.url);
    pair(box, words.login, shown.login);
    pair(box, words.password, shown.password);
    if (shown.bearer) {
      pair(box, words.bearer, shown.bearer);
    }
    box.appendChild(el("p", shown.note, "b24b-muted b24b-hint"));
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  function add() {
    var body = {};
    document.querySelectorAll("#exchange-add [data-node]").forEach(function (input) {
      body[input.dataset.node] = input.value.trim();
    });
    call("POST", "/nodes", body).then(function (data) {
      showCredentials(data.credentials, body.kind);
      document.querySelectorAll("#exchange-add input").forEach(function (input) { input.value = ""; });
      return load(words.added.replace("{name}", body.name));
    }).catch(function (error) { say(error.message, true); });
  }

  function rotate(node) {
    if (!window.confirm(words.confirm_rotate.replace("{name}", node.name))) {
      return;
    }
    call("POST", "/nodes/" + node.id + "/rotate").then(function (data) {
      showCredentials(data.credentials, node.kind);
      say(words.rotated, false);
    }).catch(function (error) { say(error.message, true); });
  }

  function disable(node) {
    if (!window.confirm(words.confirm_disable.replace("{name}", node.name))) {
      return;
    }
    call("POST", "/nodes/" + node.id + "/disable").then(function () {
      return load(words.disabled_done.replace("{name}", node.name));
    }).catch(function (error) { say(error.message, true); });
  }

  function docWord(kind) {
    return words["doc_" + kind] || kind;
  }

  function stateWord(state) {
    return words["state_" + state] || state;
  }

  function feedLines(feed) {
    var lines = feed.documents.map(function (doc) {
      return { id: docWord(doc.kind) + " " + doc.external_id, state: doc.status, message: doc.message };
    });
    var seen = feed.documents.map(function (doc) { return doc.external_id; });
    (feed.received || []).forEach(function (got) {
      if (seen.indexOf(got.external_id) < 0) {
        lines.push({ id: docWord(got.kind) + " " + got.external_id, state: got.state, message: got.message });
      }
    });
    return lines;
  }

  function feedBox(node, feed) {
    var box = el("div", null, "b24b-feed");
    box.dataset.feed = feed.id;
    var title = when(feed.created_at) + " · " + (feed.direction === "in" ? words.feed_in : words.feed_out) +
      " · " + (words["door_" + feed.door] || feed.door) + " · " + feed.operation;
    box.appendChild(el("strong", title));
    var list = el("ul");
    feedLines(feed).forEach(function (line) {
      var text = line.id + ": " + stateWord(line.state) + (line.message ? " — " + russian(line.message) : "");
      var bad = line.state === "refused" || line.state === "failed";
      list.appendChild(el("li", text, bad ? "b24b-bad" : ""));
    });
    (feed.errors || []).forEach(function (error) { list.appendChild(el("li", error, "b24b-bad")); });
    box.appendChild(list);
    if (feed.direction === "in") {
      box.appendChild(button(words.replay, function () { replay(node, feed); }));
    }
    return box;
  }

  function feeds(node) {
    call("GET", "/nodes/" + node.id + "/feeds").then(function (data) {
      var panel = document.getElementById("exchange-feeds");
      panel.replaceChildren(el("h3", words.feeds + ": " + node.name));
      if (!data.feeds.length) {
        panel.appendChild(el("p", words.feeds_empty, "b24b-muted"));
      }
      data.feeds.forEach(function (feed) { panel.appendChild(feedBox(node, feed)); });
      panel.hidden = false;
    }).catch(function (error) { say(error.message, true); });
  }

  function replay(node, feed) {
    call("POST", "/feeds/" + feed.id + "/replay").then(function (data) {
      feeds(node);
      load(words.replayed.replace("{id}", feed.id).replace("{new}", data.feed ? data.feed.id : "—"));
    }).catch(function (error) { say(error.message, true); });
  }

  document.getElementById("exchange-add-button").addEventListener("click", add);
  load("");
})();
