"""The production layout's systemd units (``deploy/systemd``) pass ``systemd-analyze verify``
with no warning, installed as the README says (the project at /opt/b24bridge, its
environment file at /etc/b24bridge/b24bridge.env) — here pointed at this checkout so the
commands they start exist."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
INSTALLED_AT, ENVIRONMENT_FILE = "/opt/b24bridge", "/etc/b24bridge/b24bridge.env"
ANALYZE = shutil.which("systemd-analyze")

pytestmark = pytest.mark.skipif(ANALYZE is None, reason="needs systemd-analyze")


def installed_copy(folder: Path) -> list[str]:
    names = []
    for unit in sorted(UNITS.iterdir()):
        text = unit.read_text(encoding="utf-8")
        text = text.replace(INSTALLED_AT, str(ROOT)).replace(
            ENVIRONMENT_FILE, str(ROOT / ".env.example")
        )
        (folder / unit.name).write_text(text, encoding="utf-8")
        names.append(unit.name.replace("@.service", "@1.service"))
    return names


def test_every_unit_verifies_without_a_warning(tmp_path: Path) -> None:
    names = installed_copy(tmp_path)
    assert set(names) == {
        "b24bridge.target",
        "b24bridge-migrate.service",
        "b24bridge-web.service",
        "b24bridge-worker@1.service",
    }
    result = subprocess.run(
        [str(ANALYZE), "verify", "--man=no", *(f"./{name}" for name in names)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "" and result.stderr.strip() == "", result.stderr


def test_the_units_start_what_the_readme_documents() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for unit in UNITS.iterdir():
        assert f"deploy/systemd/{unit.name}" in readme, unit.name
    commands = {
        line.split("=", 1)[1]
        for unit in UNITS.iterdir()
        for line in unit.read_text(encoding="utf-8").splitlines()
        if line.startswith("ExecStart=")
    }
    assert commands == {
        f"{INSTALLED_AT}/.venv/bin/b24bridge migrate",
        f"{INSTALLED_AT}/.venv/bin/b24bridge serve --host 127.0.0.1 --port 8000",
        f"{INSTALLED_AT}/.venv/bin/b24bridge worker",
    }
