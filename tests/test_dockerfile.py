"""The Dockerfile's install steps work: its RUN commands, run in a fresh virtual environment.

Docker cannot run here, so the test reads the RUN instructions that create the image's virtual
environment and install newsmon, points them at a temporary directory instead of /opt/newsmon,
runs them in a copy of what the Dockerfile COPYs, and then runs ``newsmon --version``. A change
of the Dockerfile's install commands changes what this test runs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IMAGE_VENV = "/opt/newsmon"


def instructions(dockerfile: str, keyword: str) -> list[str]:
    """The arguments of every ``keyword`` instruction, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    return [line.split(None, 1)[1].strip() for line in joined.splitlines() if line.startswith(f"{keyword} ")]


def test_dockerfile_runs_the_readme_install_and_a_healthcheck() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11-slim" in dockerfile
    assert any("pip install -q" in run for run in instructions(dockerfile, "RUN"))
    assert "/healthz" in instructions(dockerfile, "HEALTHCHECK")[0]
    assert instructions(dockerfile, "USER") == ["newsmon"]
    assert instructions(dockerfile, "ENTRYPOINT") == ['["newsmon"]']


@pytest.mark.slow
def test_dockerfile_install_commands_work_in_a_fresh_venv(tmp_path: Path) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    app = tmp_path / "app"
    app.mkdir()
    for copy in instructions(dockerfile, "COPY"):
        *sources, _target = copy.split()
        for source in sources:
            origin = ROOT / source
            if origin.is_dir():
                shutil.copytree(
                    origin, app / source, ignore=shutil.ignore_patterns("__pycache__"), symlinks=True
                )
            else:
                shutil.copy(origin, app / source)
    venv = tmp_path / "venv"
    installs = [run for run in instructions(dockerfile, "RUN") if IMAGE_VENV in run]
    assert installs, "no RUN instruction installs into the image's virtual environment"
    for command in installs:
        result = subprocess.run(
            command.replace(IMAGE_VENV, str(venv)),
            shell=True,
            cwd=app,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    version = subprocess.run(
        [venv / "bin" / "newsmon", "--version"], capture_output=True, text=True, timeout=60
    )
    assert version.returncode == 0, version.stderr
    assert "version" in version.stdout
    status = subprocess.run(
        [venv / "bin" / "python", "-c", "import scheduler.daemon, crawler.run"],
        capture_output=True,
        text=True,
    )
    assert status.returncode == 0, status.stderr
