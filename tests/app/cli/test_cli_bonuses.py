"""``b24bridge bonuses``: a bad settings file or period is refused with a clear Russian line
before any database work."""

import json
import subprocess
from pathlib import Path

from tests.app_process import run_app


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_app("bonuses", *args)


class TestBonusesCli:
    def test_an_account_without_a_kind_is_refused_naming_it(self, tmp_path: Path) -> None:
        path = tmp_path / "bonuses.json"
        accounts = [{"code": "CASH", "kind": "cash_desk"}, {"code": "SAFE", "kind": "vault"}]
        path.write_text(json.dumps({"money_accounts": accounts}), encoding="utf-8")
        result = run_cli("configure", str(path), "--member-id", "m1")
        assert result.returncode == 2
        assert "bonuses.json: Счёт №2: нужен уникальный «code» и «kind»" in result.stderr

    def test_a_percent_above_100_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "bonuses.json"
        path.write_text(json.dumps({"bonus_rules": {"default_percent": "150"}}), encoding="utf-8")
        result = run_cli("configure", str(path), "--member-id", "m1")
        assert result.returncode == 2
        assert "Бонус по умолчанию, %: «150»" in result.stderr

    def test_a_malformed_period_is_refused(self, tmp_path: Path) -> None:
        result = run_cli(
            "report", "--member-id", "m1", "--from", "2026-13", "--to", "2026-12",
            "--xlsx", str(tmp_path / "r.xlsx"),
        )  # fmt: skip
        assert result.returncode == 2
        assert "нужен месяц в виде ГГГГ-ММ" in result.stderr
        assert not (tmp_path / "r.xlsx").exists()
