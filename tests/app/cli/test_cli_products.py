"""``b24bridge products``: argument errors come back as clear lines, before any database work."""

import subprocess
from pathlib import Path

from tests.app_process import run_app


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_app("products", *args)


class TestProductsCli:
    def test_a_bad_kit_file_lists_each_bad_line_and_stores_nothing(self, tmp_path: Path) -> None:
        path = tmp_path / "kits.csv"
        path.write_text(
            "kit_product_id,product_id,name,quantity,price\n4,1,Фара,-1,100\n4,2,Бампер,1,abc\n",
            encoding="utf-8",
        )
        result = run_cli("kits", "load", str(path), "--member-id", "m1")
        assert result.returncode == 2
        assert result.stderr.splitlines() == [
            "kits.csv: line 3: price must be a number, not 'abc'",
            "kits.csv: line 2: Kit 4: component 1 has an invalid quantity.",
        ]

    def test_deal_selection_needs_ids_or_all(self) -> None:
        result = run_cli("expand-kits", "--member-id", "m1")
        assert result.returncode == 2
        assert "--deal-ids 1,2,3 or --all" in result.stderr
