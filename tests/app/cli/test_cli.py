"""Bad configuration stops start-up with one clear line naming the variable."""

import subprocess
from pathlib import Path

import pytest

from tests.app_process import app_env, run_app


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_app(*args, env=app_env(env, drop=("DATABASE_URL",)))


class TestStartupConfiguration:
    @pytest.mark.parametrize(
        "database_url", ["not a url at all", "mysql://root@localhost/db", "sqlite:///plain-sync.db"]
    )
    def test_malformed_database_url_is_named_in_one_line(self, database_url: str) -> None:
        result = run_cli("migrate", env={"DATABASE_URL": database_url})
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "DATABASE_URL" in lines[0]
        assert "Traceback" not in result.stderr

    def test_unreachable_database_is_named_in_one_line(self) -> None:
        result = run_cli(
            "migrate", env={"DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none"}
        )
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("b24bridge: DATABASE_URL: cannot connect")

    def test_migrate_reports_success_on_a_good_database(self, tmp_path: Path) -> None:
        result = run_cli("migrate", env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"})
        assert result.returncode == 0, result.stderr
        assert "migrated" in result.stdout
