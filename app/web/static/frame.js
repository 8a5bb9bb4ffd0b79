/*
 * b24bridge frame client: the few messages our pages send to the Bitrix24 page that frames them.
 *
 * Wire format — one string posted to window.parent, targetOrigin = the portal origin:
 *
 *     <command>:<params as JSON, or empty>:<callback id, or empty>:<APP_SID>
 *
 * Source: BX24.js (https://api.bitrix24.com/api/v1/), private function sendMessage:
 *     cmd += ':' + (params ? JSON.stringify(params) : '') + ':' + callbackId
 *            + (APP_SID ? ':' + APP_SID : '');
 *     parent.postMessage(cmd, 'http' + (PROTOCOL ? 's' : '') + '://' + DOMAIN);
 * b24jssdk (github bitrix24/b24jssdk, packages/jssdk/src/frame/message/controller.ts,
 * MessageManager.send) builds the same string but drops empty segments. A receiver (the
 * portal, our sandbox portal) therefore reads: command = text before the first ':';
 * APP_SID = text after the last ':'; callback id = the segment before APP_SID (may be
 * empty); params = everything in between (JSON, which may itself contain ':').
 *
 * Messages sent here (we register no callbacks, so the callback segment is empty):
 *   installFinish      "setInstallFinish:{}::<APP_SID>"        as BX24.installFinish()
 *   fit to content     "resizeWindow:{"width":"100%","height":<px>}::<APP_SID>"
 *                                                               as BX24.fitWindow()
 *   reload the card    "reloadData:::<APP_SID>"                as BX24.placement.call('reloadData')
 * Docs: https://apidocs.bitrix24.com/sdk/bx24-js-sdk/system-functions/bx24-install-finish.html
 *       https://apidocs.bitrix24.com/api-reference/bx24-js-sdk/additional-functions/bx24-fit-window.html
 *       https://apidocs.bitrix24.com/api-reference/widgets/ui-interaction/bx24-placement-call.html
 *
 * APP_SID comes from the placement POST's query string (REST_FACTS §9.3) through the page
 * config; the portal also names the iframe "DOMAIN|PROTOCOL|APP_SID" (BX24.js reads
 * window.name), which is the fallback. The target origin is always the server-verified
 * portal origin from the config — never window.name's DOMAIN, which anyone framing us sets.
 */
(function () {
  "use strict";

  var state = { origin: "", appSid: "", lastHeight: 0, observer: null };

  function appSidFromWindowName() {
    var parts = String(window.name || "").split("|");
    return parts.length >= 3 ? parts[2] : "";
  }

  function configure(config) {
    state.origin = String(config.portal_origin || "");
    state.appSid = String(config.app_sid || "") || appSidFromWindowName();
  }

  function isFramed() {
    return window.parent !== null && window.parent !== window;
  }

  function send(command, params) {
    if (!isFramed() || !state.origin || !state.appSid) {
      return false;
    }
    var body = params ? JSON.stringify(params) : "";
    try {
      window.parent.postMessage(command + ":" + body + "::" + state.appSid, state.origin);
    } catch (error) {
      return false; // a malformed origin throws; the page itself keeps working
    }
    return true;
  }

  function contentHeight(element) {
    var box = element.getBoundingClientRect();
    return Math.ceil(box.bottom + window.scrollY);
  }

  function fitWindow(element) {
    var height = contentHeight(element || document.body);
    if (height <= 0 || height === state.lastHeight) {
      return false;
    }
    state.lastHeight = height;
    return send("resizeWindow", { width: "100%", height: height });
  }

  function watchSize(element) {
    fitWindow(element);
    if (typeof ResizeObserver !== "function") {
      return;
    }
    state.observer = new ResizeObserver(function () {
      fitWindow(element);
    });
    state.observer.observe(element);
  }

  window.B24bridgeFrame = {
    configure: configure,
    send: send,
    fitWindow: fitWindow,
    watchSize: watchSize,
    installFinish: function () {
      return send("setInstallFinish", {});
    },
    reloadData: function () {
      return send("reloadData", null);
    },
  };
})();
