"""``batch`` (§5): up to 50 sequential commands, ``$result[key][…]`` references, ``halt``,
always HTTP 200 with per-command errors in ``result_error``; nested batch refused. Each
command passes the same scope check as a single call."""

import re
from typing import Any
from urllib.parse import parse_qsl

from sandbox.calls import Call
from sandbox.encoding import listify, parse_pairs
from sandbox.envelope import Page
from sandbox.errors import RestError
from sandbox.execution import check_outage, run_metered, time_for

MAX_COMMANDS = 50
_REFERENCE = re.compile(r"\$result\[([^\]]+)\]((?:\[[^\]]*\])*)")


def method_name(raw: str) -> str:
    return raw.strip().lower().removesuffix(".json")


def _resolve(results: dict[str, Any], key: str, path: str) -> Any:
    value: Any = results.get(key)
    for segment in re.findall(r"\[([^\]]*)\]", path):
        if isinstance(value, list) and segment.isdigit() and int(segment) < len(value):
            value = value[int(segment)]
        elif isinstance(value, dict) and segment in value:
            value = value[segment]
        else:
            return ""
    return value


def substitute(value: str, results: dict[str, Any]) -> Any:
    whole = _REFERENCE.fullmatch(value)
    if whole:
        return _resolve(results, whole.group(1), whole.group(2))
    return _REFERENCE.sub(lambda m: str(_resolve(results, m.group(1), m.group(2))), value)


def parse_command(command: str, results: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name, _, query = command.partition("?")
    pairs = [
        (key, substitute(value, results)) for key, value in parse_qsl(query, keep_blank_values=True)
    ]
    return method_name(name), parse_pairs(pairs)


def _commands(cmd: Any) -> tuple[list[tuple[str, str]], bool]:
    if isinstance(cmd, list):
        return [(str(i), str(c)) for i, c in enumerate(cmd)], True
    if isinstance(cmd, dict):
        return [(str(k), str(c)) for k, c in cmd.items()], False
    return [], False


def _run_one(call: Call, name: str, params: dict[str, Any], *, limits: bool) -> Any:
    if name == "batch":
        raise RestError("ERROR_BATCH_METHOD_NOT_ALLOWED")
    check_outage(call.sandbox, call.portal, name)
    connector = str(params.pop("auth_connector", "") or call.connector)
    sub = Call(call.sandbox, call.portal, call.caller, params, call.events, connector)
    return run_metered(sub, name, limits=limits)


def _error_body(exc: RestError) -> dict[str, Any]:
    """A command's error; ``insufficient_scope`` comes with an empty description (§2, §5)."""
    body = exc.body()
    if exc.code == "insufficient_scope":
        body["error_description"] = ""
    return body


def run_batch(call: Call, *, limits: bool) -> tuple[dict[str, Any], list[str]]:
    commands, numbered = _commands(call.param("cmd"))
    if len(commands) > MAX_COMMANDS:
        raise RestError("ERROR_BATCH_LENGTH_EXCEEDED")
    halt = str(call.param("halt", "0")).lower() in ("1", "true", "y")
    sections: dict[str, dict[str, Any]] = {
        n: {} for n in ("result", "result_error", "result_total", "result_next", "result_time")
    }
    names: list[str] = []
    for key, command in commands:
        name, params = parse_command(command, sections["result"])
        names.append(name)
        started = call.now()
        try:
            outcome = _run_one(call, name, params, limits=limits)
        except RestError as exc:
            sections["result_error"][key] = _error_body(exc)
            if halt:
                break
            continue
        if isinstance(outcome, Page):
            sections["result_total"][key] = outcome.total
            if outcome.next is not None:
                sections["result_next"][key] = outcome.next
            outcome = outcome.result
        sections["result"][key] = outcome
        sections["result_time"][key] = time_for(
            call.sandbox,
            call.portal,
            (call.caller.identity, name),
            started=started,
            processing=0.0,
        )
    shaped = {n: listify(s) if numbered else s for n, s in sections.items()}
    return shaped, names
