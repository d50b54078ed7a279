"""The dependency rules of docs/architecture.md, checked on the source."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE = ["surveys/scales/kinds.py", "surveys/scales/scoring.py", "surveys/scales/answers.py", "surveys/people/importing.py", "feedback_app/core/numbers.py",
        "feedback_app/core/languages.py"]
PURE += [str(p.relative_to(ROOT)) for p in (ROOT / "triage").glob("*.py")
         if p.name in ("text.py", "classifier.py", "themes.py", "grid.py", "followups.py", "metrics.py",
                       "grid_chart.py", "training.py", "types.py", "stopwords.py")]
PURE += ["feedback_app/accounts/throttle.py", "feedback_app/mail/delivery_policy.py", "feedback_app/mail/mime.py"]
FORBIDDEN_IN_PURE = ("flask", "flask_sqlalchemy", "flask_babel", "flask_wtf", "sqlalchemy", "wtforms",
                     "feedback_app", "surveys.models", "surveys.services", "surveys.views")


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level and node.module:
            names.add(f"{path.parent.name}.{node.module}")
    return names


def _is_pure(name: str) -> bool:
    """A module on the PURE list: a pure module may use another (each is itself checked here)."""
    return name.replace(".", "/") + ".py" in PURE


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_no_framework_or_database(module):
    bad = {n for n in imports(ROOT / module)
           if (n.split(".")[0] in FORBIDDEN_IN_PURE or n in FORBIDDEN_IN_PURE) and not _is_pure(n)}
    assert not bad, f"{module} is a pure decision module but imports {bad}"


def test_surveys_never_imports_triage():
    for path in (ROOT / "surveys").rglob("*.py"):
        assert not any(n.split(".")[0] == "triage" for n in imports(path)), path


def test_extensions_import_no_project_code():
    names = imports(ROOT / "feedback_app" / "core" / "extensions.py")
    assert not any(n.split(".")[0] in ("feedback_app", "surveys", "triage") for n in names)


@pytest.mark.parametrize("module", PURE + ["surveys/services.py", "feedback_app/mail/outbox.py", "feedback_app/mail/delivery.py",
                                    "feedback_app/core/leases.py"])
def test_decision_code_takes_the_time_as_an_argument(module):
    source = (ROOT / module).read_text()
    assert "datetime.now(" not in source and "utcnow" not in source, f"{module} reads the clock"


INFRASTRUCTURE = ("feedback_app/core", "feedback_app/mail", "feedback_app/web")
NOT_INFRASTRUCTURE = ("surveys", "triage", "privacy", "feedback_app.api", "feedback_app.accounts",
                      "feedback_app.dashboard", "feedback_app.cli", "feedback_app.factory", "feedback_app.jobs",
                      "feedback_app.scheduler", "feedback_app.demo", "feedback_app.rebuild", "feedback_app.admin")


@pytest.mark.parametrize("package", INFRASTRUCTURE)
def test_infrastructure_imports_no_domain_or_composition_root(package):
    """Any domain may use infrastructure; it imports none of them, nor what composes them (lazily neither)."""
    for path in (ROOT / package).rglob("*.py"):
        names = imports(path) | {f"{node.module}.{alias.name}" for node in ast.walk(ast.parse(path.read_text()))
                                 if isinstance(node, ast.ImportFrom) and node.module for alias in node.names}
        bad = {n for n in names if any(n == p or n.startswith(p + ".") for p in NOT_INFRASTRUCTURE)}
        assert not bad, f"{path.relative_to(ROOT)} is infrastructure but imports {bad}"
