"""The import layers in pyproject.toml hold, and they are a check that can fail.

CI runs `lint-imports` too; this test also proves, on a copy of the tree, that a domain app
importing the pipeline, a channel or the console is refused, so the contract is not vacuous.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(src: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(  # noqa: S603  # our own virtualenv's tool
        [str(LINT), str(config), "--no-logo", "--no-cache"],
        cwd=config.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_layers_hold() -> None:
    result = _lint(ROOT / "src", ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("reports/services.py", "tipline.pipeline.services"),
        ("identifiers/selectors.py", "tipline.intake.views"),
        ("media/selectors.py", "tipline.console.views"),
    ],
)
def test_a_domain_app_importing_upward_is_refused(tmp_path: Path, module: str, upward: str) -> None:
    copy = tmp_path / "src" / "tipline"
    shutil.copytree(
        ROOT / "src" / "tipline", copy, ignore=shutil.ignore_patterns("__pycache__", "static")
    )
    with (copy / module).open("a", encoding="utf-8") as handle:
        handle.write(f"\nimport {upward}  # deliberately upward\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = _lint(tmp_path / "src", tmp_path / "pyproject.toml")
    domain = "tipline." + module.split("/")[0]
    assert result.returncode != 0
    assert f"{domain} is not allowed to import {upward.rsplit('.', 1)[0]}" in result.stdout
