"""Drive an event endpoint with wrk (Debian package ``wrk``; installed with apt-get when
missing): form-encoded ONCRMDEALUPDATE bodies over many deals, each with its own ``ts`` so
that every delivery is a new inbox row. A Lua script builds the bodies and counts the
answers per status; ``done`` prints one JSON line that ``run_wrk`` reads.
"""

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from tests.appclient import deal_event

LUA = r"""
local threads = {}
local counter = 0
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  answered_200, accepted, other = 0, 0, 0
end
function request()
  counter = counter + 1
  local deal = (counter * 7919 + tid * 104729) % DEALS + 1
  local ts = FIRST_TS + tid * 100000000 + counter
  local body = PREFIX .. deal .. "&ts=" .. ts .. SUFFIX
  return wrk.format("POST", "/b24/events", HEADERS, body)
end
function response(status, headers, body)
  if status == 200 then
    answered_200 = answered_200 + 1
    if string.find(body, "accepted", 1, true) then accepted = accepted + 1 end
  else
    other = other + 1
  end
end
function done(summary, latency, requests)
  local ok, acc, oth = 0, 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("answered_200")
    acc = acc + thread:get("accepted")
    oth = oth + thread:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    '\nWRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"ok":%d,' ..
    '"accepted":%d,"other":%d,"errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    ok, acc, oth, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    answered_200: int
    accepted: int
    other_status: int
    socket_errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk not found: installing the Debian package with apt-get")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update"], check=True, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


def lua_script(deals: int, first_ts: int) -> str:
    """The script with the body around ``data[FIELDS][ID]`` and ``ts`` baked in."""
    fields = deal_event(0, ts="0")
    del fields["data[FIELDS][ID]"], fields["ts"]
    before = {k: v for k, v in fields.items() if not k.startswith("auth")}
    after = {k: v for k, v in fields.items() if k.startswith("auth")}
    prefix = urlencode(before) + "&" + urlencode({"data[FIELDS][ID]": ""})
    suffix = "&" + urlencode(after)
    header = '{["Content-Type"] = "application/x-www-form-urlencoded"}'
    constants = (
        f"DEALS = {deals}\nFIRST_TS = {first_ts}\nPREFIX = {json.dumps(prefix)}\n"
        f"SUFFIX = {json.dumps(suffix)}\nHEADERS = {header}\n"
    )
    return constants + LUA


def run_wrk(
    url: str, *, seconds: float, connections: int, deals: int, first_ts: int, threads: int = 2
) -> WrkResult:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "events.lua"
        script.write_text(lua_script(deals, first_ts))
        command = [
            ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s",
            "--timeout", "10s", "-s", str(script), url,
        ]  # fmt: skip
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        answered_200=data["ok"],
        accepted=data["accepted"],
        other_status=data["other"],
        socket_errors=data["errors"],
    )
