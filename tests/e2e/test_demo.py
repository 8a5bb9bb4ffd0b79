"""``b24bridge demo --check``: the real command starts the sandbox and the app, installs and
provisions, prints the walkthrough and exits 0 — also when run again on the same database."""

import re
import socket
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from app.cli import cli
from tests.e2e.harness import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def own_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo writes var/demo.env into its working folder while it runs: keep that out of
    the checkout, where tests in other processes read their settings."""
    monkeypatch.chdir(tmp_path)


def run_demo_check(database: Path, port: int, sandbox_port: int) -> tuple[int, str]:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}", "DEMO_CHECK": "1"}
    args = ["demo", "--port", str(port), "--sandbox-port", str(sandbox_port)]
    result = CliRunner().invoke(cli, args, env=env)
    return result.exit_code, result.output


class TestDemoCheck:
    def test_starts_installs_prints_the_urls_and_exits(self, tmp_path: Path) -> None:
        port, sandbox_port = free_port(), free_port()
        code, output = run_demo_check(tmp_path / "demo.db", port, sandbox_port)
        assert code == 0, output
        assert "check passed" in output
        sandbox = f"http://127.0.0.1:{sandbox_port}/p/demo"
        deal = re.search(rf"{re.escape(sandbox)}/deal/(\d+)\?as=2", output)
        assert deal is not None, output
        for url in (
            f"{sandbox}/?as=2",
            f"{sandbox}/deal/{deal.group(1)}?as=3",
            f"{sandbox}/people?as=2",
            f"http://127.0.0.1:{port}/healthz",
        ):
            assert url in output
        with pytest.raises(httpx.ConnectError):  # both servers are gone
            httpx.get(f"http://127.0.0.1:{port}/healthz")

    def test_a_second_run_on_the_same_database_installs_again(self, tmp_path: Path) -> None:
        database = tmp_path / "demo.db"
        assert run_demo_check(database, free_port(), free_port())[0] == 0
        code, output = run_demo_check(database, free_port(), free_port())
        assert code == 0, output
        assert "check passed" in output

    def test_a_busy_port_is_reported_in_one_line(self, tmp_path: Path) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            busy = taken.getsockname()[1]
            code, output = run_demo_check(tmp_path / "demo.db", busy, free_port())
        assert code == 1
        assert f"port {busy} is busy" in output
