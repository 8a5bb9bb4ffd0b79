/*
 * The settings page: save the stage map, buyers, services, discount field, the stage
 * the «Поиск» lines lock from and the proposal (КП) settings (PUT
 * {api_base}), provision (POST {api_base}/provision), and reload a funnel's stages when
 * the deal funnel changes (GET {api_base}?deal_category_id=N). Every request carries
 * X-View-Token (RELIABILITY.md S10); every text comes from config.strings (read as
 * `words`); nodes are built with createElement and textContent only.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("settings-config").textContent);
  var frame = window.B24bridgeFrame;
  var words = config.strings;
  var form = document.getElementById("settings-form");

  function request(method, path, body) {
    var options = {
      method: method,
      headers: { Accept: "application/json", "X-View-Token": config.view_token },
      credentials: "omit",
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(config.api_base + path, options).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error(data.error_description || words.network_error);
        }
        return data;
      });
    });
  }

  function say(id, text, isError) {
    var node = document.getElementById(id);
    node.textContent = text;
    node.classList.toggle("b24b-danger", Boolean(isError));
  }

  function stageMap(kind) {
    var map = {};
    form.querySelectorAll('select[data-stage-kind="' + kind + '"]').forEach(function (select) {
      map[select.dataset.semantic] = select.value;
    });
    return map;
  }

  function checked(name) {
    var values = [];
    form.querySelectorAll('input[name="' + name + '"]:checked').forEach(function (box) {
      values.push(Number(box.value));
    });
    return values;
  }

  function proposalSettings() {
    var proposal = { rates: {}, templates: {} };
    form.querySelectorAll("[data-proposal]").forEach(function (field) {
      proposal[field.dataset.proposal] = field.value.trim();
    });
    form.querySelectorAll("[data-rate]").forEach(function (field) {
      proposal.rates[field.dataset.rate] = field.value.trim();
    });
    form.querySelectorAll("[data-template]").forEach(function (field) {
      proposal.templates[field.dataset.template] = field.value;
    });
    return proposal;
  }

  function collect() {
    var body = {
      deal_stages: stageMap("deal"),
      buyer_ids: checked("buyers"),
      service_product_ids: checked("services"),
      discount_field: document.getElementById("discount-field").value.trim(),
      lines_locked_from: document.getElementById("lines-locked-from").value,
      proposal: proposalSettings(),
    };
    var category = document.getElementById("deal-category");
    if (category.value !== "") {
      body.deal_category_id = Number(category.value);
    }
    if (form.querySelector('select[data-stage-kind="card"] option:not([value=""])')) {
      body.card_stages = stageMap("card");
    }
    return body;
  }

  function fillSelect(select, choices, selected) {
    while (select.firstChild) {
      select.removeChild(select.firstChild);
    }
    var empty = document.createElement("option");
    empty.value = "";
    empty.textContent = words.not_mapped;
    select.appendChild(empty);
    choices.forEach(function (choice) {
      var option = document.createElement("option");
      option.value = choice.value;
      option.textContent = choice.label + " [" + choice.value + "]";
      option.selected = choice.value === selected;
      select.appendChild(option);
    });
  }

  function fillStages(kind, choices, map) {
    form.querySelectorAll('select[data-stage-kind="' + kind + '"]').forEach(function (select) {
      fillSelect(select, choices, (map || {})[select.dataset.semantic] || "");
    });
  }

  function save(event) {
    event.preventDefault();
    say("save-status", words.saving, false);
    request("PUT", "", collect()).then(
      function () { say("save-status", words.saved, false); },
      function (error) { say("save-status", error.message, true); }
    );
  }

  function provision() {
    var button = document.getElementById("provision");
    button.disabled = true;
    say("provision-status", words.provisioning, false);
    var category = document.getElementById("deal-category").value;
    var body = category === "" ? {} : { deal_category_id: Number(category) };
    request("POST", "/provision", body).then(
      function (data) {
        fillStages("deal", data.options.deal_stages, data.settings.deal_stages);
        fillStages("card", data.options.card_stages, data.settings.card_stages);
        var hint = document.getElementById("no-card-type");
        if (hint && data.settings.card_entity_type_id) {
          hint.hidden = true;
        }
        say("provision-status", data.message, false);
      },
      function (error) { say("provision-status", error.message, true); }
    ).then(function () { button.disabled = false; });
  }

  function changeFunnel(event) {
    var category = event.target.value;
    request("GET", "?deal_category_id=" + encodeURIComponent(category)).then(
      function (data) { fillStages("deal", data.options.deal_stages, {}); },
      function (error) { say("save-status", error.message, true); }
    );
  }

  frame.configure(config);
  frame.watchSize(document.getElementById("app"));
  if (config.is_admin) {
    form.addEventListener("submit", save);
    document.getElementById("provision").addEventListener("click", provision);
    document.getElementById("deal-category").addEventListener("change", changeFunnel);
  }
})();
