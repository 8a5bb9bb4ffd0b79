/*
 * The sandbox portal's side of the Bitrix24 parent-frame protocol (what BX24.js talks to).
 *
 * An app frame posts one string to its parent (BX24.js, private sendMessage):
 *     <command>:<params JSON, or empty>:<callback id, or empty>:<APP_SID>
 * Read as: command = text before the first ':'; APP_SID = text after the last ':';
 * callback id = the segment before APP_SID; params = everything in between (JSON may hold ':').
 * b24jssdk (packages/jssdk/src/frame/message/controller.ts) always sends a callback id but
 * drops an empty params segment ("reloadData:<callback id>:<APP_SID>"): with no ':' left
 * between command and APP_SID, that one segment is the callback id and params are empty.
 *
 * A message counts only when it comes from one of this page's app frames (event.source),
 * from the origin that frame was POSTed to, and carries the APP_SID this page put into that
 * frame's placement POST (the iframe's data-app-sid; the frame also gets it in window.name
 * "DOMAIN|PROTOCOL|APP_SID", as on a real portal). Anything else is logged and ignored.
 *
 *   setInstallFinish   (install frame, PLACEMENT=DEFAULT only) -> the app is installed
 *   resizeWindow       {"width":"100%","height":N}              -> that iframe gets N px
 *   reloadData                                                  -> the card's data is re-read
 *                                                                  (the iframe stays as it is)
 * Docs: https://apidocs.bitrix24.com/api-reference/bx24-js-sdk/additional-functions/bx24-fit-window.html
 *       https://apidocs.bitrix24.com/api-reference/widgets/ui-interaction/bx24-placement-call.html
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("portal-config").textContent);
  // What the page accepted or refused, for people reading the console and for tests.
  var log = (window.sandboxFrameLog = []);

  function parseMessage(data) {
    if (typeof data !== "string") {
      return null;
    }
    var first = data.indexOf(":");
    var last = data.lastIndexOf(":");
    if (first <= 0 || last === first) {
      return null;
    }
    var middle = data.slice(first + 1, last);
    var split = middle.lastIndexOf(":");
    return {
      command: data.slice(0, first),
      params: split < 0 ? "" : middle.slice(0, split),
      callback: middle.slice(split + 1),
      appSid: data.slice(last + 1),
    };
  }

  function parseParams(text) {
    if (!text) {
      return {};
    }
    try {
      var value = JSON.parse(text);
      return value && typeof value === "object" ? value : {};
    } catch (error) {
      return {};
    }
  }

  function frameOf(source) {
    var frames = document.querySelectorAll("iframe.app-frame");
    for (var i = 0; i < frames.length; i += 1) {
      if (frames[i].contentWindow === source) {
        return frames[i];
      }
    }
    return null;
  }

  function cssSize(value) {
    if (typeof value === "number" && isFinite(value) && value >= 0) {
      return Math.round(value) + "px";
    }
    var text = String(value);
    return /^\d{1,5}(px|%)?$/.test(text) ? (/\d$/.test(text) ? text + "px" : text) : "";
  }

  function resizeWindow(frame, params) {
    var height = cssSize(params.height);
    var width = cssSize(params.width);
    if (height) {
      frame.style.height = height;
    }
    if (width) {
      frame.style.width = width;
    }
    return Boolean(height);
  }

  function installFinish(frame) {
    if (frame.dataset.placement !== "DEFAULT") {
      return false;
    }
    fetch(config.install_finish_url, { method: "POST" }).then(function (response) {
      var note = document.getElementById("install-note");
      if (note && response.ok) {
        note.textContent = "Приложение установлено";
      }
    });
    return true;
  }

  function reloadData() {
    var target = document.getElementById("card-data");
    if (!config.data_url || !target) {
      window.location.reload();
      return true;
    }
    fetch(config.data_url, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        target.innerHTML = html; // our own server-rendered, autoescaped fragment
        target.dataset.reloads = String(Number(target.dataset.reloads || 0) + 1);
      })
      .catch(function () {
        window.location.reload();
      });
    return true;
  }

  function handle(frame, message) {
    var params = parseParams(message.params);
    if (message.command === "resizeWindow") {
      return resizeWindow(frame, params);
    }
    if (message.command === "setInstallFinish") {
      return installFinish(frame);
    }
    if (message.command === "reloadData") {
      return reloadData();
    }
    return false;
  }

  function refusal(frame, event, message) {
    if (!frame) {
      return "not an app frame of this page";
    }
    if (event.origin !== frame.dataset.origin) {
      return "wrong origin " + event.origin;
    }
    if (!message) {
      return "not a BX24 message";
    }
    if (!frame.dataset.appSid || message.appSid !== frame.dataset.appSid) {
      return "wrong APP_SID";
    }
    return "";
  }

  window.addEventListener("message", function (event) {
    var frame = frameOf(event.source);
    var message = parseMessage(event.data);
    var reason = refusal(frame, event, message);
    var entry = { command: message ? message.command : "", origin: event.origin };
    if (reason) {
      entry.refused = reason;
    } else {
      entry.frame = frame.name;
      entry.handled = handle(frame, message);
    }
    log.push(entry);
  });

  // Picking a catalog product fills in its price, as the portal's product editor does
  // (delegated: the card's data is swapped on reloadData). A typed price is left alone.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select.product-pick")) {
      return;
    }
    var option = select.options[select.selectedIndex];
    var price = document.getElementById(select.dataset.priceInput);
    if (price && option && option.dataset.price && !price.value) {
      price.value = option.dataset.price;
    }
  });

  var chooser = document.getElementById("acting-user");
  if (chooser) {
    chooser.addEventListener("change", function () {
      chooser.form.submit();
    });
  }

  // The portal opens each app frame with the real placement POST (REST_FACTS §9.3).
  Array.prototype.forEach.call(document.querySelectorAll("form.placement-form"), function (form) {
    form.submit();
  });
})();
