"""Every module of the project imports on its own, in a fresh interpreter (issue 11): a module that only works
when another was imported first hides an import cycle, and fails the day someone imports it first."""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("feedback_app", "surveys", "triage", "privacy", "retention", "webhooks", "advocacy")


def project_modules() -> list[str]:
    modules = ["config"]
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:  # Alembic's scripts run inside Alembic, not imported
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def import_alone(module: str) -> tuple[str, str]:
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    return module, (done.stderr.strip().splitlines() or ["?"])[-1] if done.returncode else ""


def test_every_module_imports_on_its_own():
    modules = project_modules()
    assert len(modules) > 90 and "surveys.models" in modules and "feedback_app.factory" in modules
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        failed = {module: error for module, error in pool.map(import_alone, modules) if error}
    assert not failed, failed
