"""``python -m app …`` as its own process, as an operator runs it: in the checkout, on the
test's environment plus what the test sets (``DATABASE_URL`` and the like). ``run_app``
blocks; ``run_app_async`` is awaited, so a live stack in the test's loop keeps serving."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def app_env(
    extra: Mapping[str, str] | None = None, *, drop: tuple[str, ...] = ()
) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in drop}
    return base | dict(extra or {})


def run_app(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=dict(env) if env is not None else app_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


async def run_app_async(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 120
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        *args,
        cwd=ROOT,
        env=dict(env) if env is not None else app_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=timeout)
    return int(process.returncode or 0), out.decode(), err.decode()
