"""Other commands reach a running demo (issue 11 #17, #20): ``b24bridge demo`` leaves its
settings in the folder for as long as it runs, seeds the sandbox's kit, and a command that
cannot reach a portal says so in one line naming the setting."""

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def command_env(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("B24_", "DATABASE_URL"))}
    return env | {"DATABASE_URL": f"sqlite+aiosqlite:///{database}", "PYTHONPATH": str(ROOT)}


def b24bridge(folder: Path, database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=folder,
        env=command_env(database),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def running_demo(tmp_path: Path) -> Iterator[tuple[Path, Path, str]]:
    folder, database = tmp_path / "checkout", tmp_path / "demo.db"
    folder.mkdir()
    args = ["demo", "--port", str(free_port()), "--sandbox-port", str(free_port())]
    demo = subprocess.Popen(
        [sys.executable, "-m", "app", *args],
        cwd=folder,
        env=command_env(database),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield folder, database, await_member_id(demo)
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=60)


def await_member_id(demo: subprocess.Popen[str]) -> str:
    """Read the demo's output up to its walkthrough; the member_id it prints."""
    assert demo.stdout is not None
    output = ""
    for line in demo.stdout:
        output += line
        if "Ctrl+C" in line:
            break
    member = re.search(r"--member-id (\w+)", output)
    assert member is not None, output
    return member.group(1)


class TestCommandsBesideTheDemo:
    def test_a_command_in_the_demos_folder_reaches_its_portal(
        self, running_demo: tuple[Path, Path, str]
    ) -> None:
        folder, database, member_id = running_demo
        assert (folder / "var" / "demo.env").exists()
        result = b24bridge(
            folder, database, "products", "expand-kits", "--member-id", member_id, "--all"
        )
        assert result.returncode == 0, result.stderr
        assert re.search(r"[1-9]\d* changed", result.stdout), result.stdout

    def test_a_command_elsewhere_says_in_one_line_which_setting_is_missing(
        self, running_demo: tuple[Path, Path, str], tmp_path: Path
    ) -> None:
        _folder, database, member_id = running_demo
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        result = b24bridge(
            elsewhere, database, "products", "expand-kits", "--member-id", member_id, "--all"
        )
        assert result.returncode == 2
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "B24_ALLOWED_DOMAINS" in lines[0], result.stderr
        assert "Traceback" not in result.stderr

    def test_the_demos_settings_leave_with_it(self, tmp_path: Path) -> None:
        folder = tmp_path / "checkout"
        folder.mkdir()
        database = tmp_path / "demo.db"
        env = command_env(database) | {"DEMO_CHECK": "1"}
        args = ["demo", "--port", str(free_port()), "--sandbox-port", str(free_port())]
        done = subprocess.run(
            [sys.executable, "-m", "app", *args],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert not (folder / "var" / "demo.env").exists()
