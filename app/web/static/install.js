/*
 * The install page: tells the portal the app is set up (installFinish, REST_FACTS §7 —
 * until then widgets stay hidden and events are not sent) and fits the frame.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("frame-config").textContent);
  window.B24bridgeFrame.configure(config);
  window.B24bridgeFrame.installFinish();
  window.B24bridgeFrame.watchSize(document.getElementById("app"));
})();
