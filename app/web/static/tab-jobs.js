/*
 * Follows a background job of the «Поиск» tab to its end: GET {api_base}/jobs/{id} with a
 * growing pause between polls (0.4 s, ×1.6, at most 4 s), until the job is no longer
 * "running" — then onEnd gets {state: "done" | "refused" | "failed", text}. A refused poll
 * (an expired view token, a job this tab may not see) ends it with state "error" and the
 * server's reason; after three minutes it ends with state "timeout". Network errors only
 * make it wait longer.
 */
(function () {
  "use strict";

  var FIRST_DELAY_MS = 400;
  var GROWTH = 1.6;
  var MAX_DELAY_MS = 4000;
  var GIVE_UP_MS = 180000;

  function follower(request, errorText) {
    return function follow(jobId, onEnd) {
      var started = Date.now();
      var delay = FIRST_DELAY_MS;

      function schedule() {
        if (Date.now() - started > GIVE_UP_MS) {
          onEnd({ state: "timeout", text: "" });
          return;
        }
        window.setTimeout(poll, delay);
        delay = Math.min(MAX_DELAY_MS, delay * GROWTH);
      }

      function poll() {
        request("GET", "/jobs/" + encodeURIComponent(jobId)).then(
          function (result) {
            if (!result.ok) {
              onEnd({ state: "error", text: errorText(result.data) });
            } else if (result.data.state && result.data.state !== "running") {
              onEnd(result.data);
            } else {
              schedule();
            }
          },
          schedule
        );
      }

      schedule();
    };
  }

  window.B24bridgeTabJobs = { follower: follower };
})();
