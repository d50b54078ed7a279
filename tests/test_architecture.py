"""The dependency rules of docs/architecture.md, checked on the source."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE = ["surveys/scales/kinds.py", "surveys/scales/scoring.py", "surveys/scales/answers.py", "surveys/people/importing.py", "feedback_app/core/numbers.py"]
PURE += [str(p.relative_to(ROOT)) for p in (ROOT / "triage").glob("*.py")
         if p.name in ("text.py", "classifier.py", "themes.py", "grid.py", "followups.py", "metrics.py",
                       "grid_chart.py", "training.py", "types.py", "stopwords.py")]
PURE += ["feedback_app/accounts/throttle.py", "feedback_app/mail/delivery_policy.py", "feedback_app/mail/mime.py"]
FORBIDDEN_IN_PURE = ("flask", "flask_sqlalchemy", "flask_babel", "flask_wtf", "sqlalchemy", "wtforms",
                     "feedback_app", "surveys.models", "surveys.people.services", "surveys.asking.services",
                     "surveys.asking.results", "surveys.answering.services", "surveys.people.views",
                     "surveys.asking.views", "surveys.answering.views")


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


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_no_framework_or_database(module):
    bad = {n for n in imports(ROOT / module) if n.split(".")[0] in FORBIDDEN_IN_PURE or n in FORBIDDEN_IN_PURE}
    assert not bad, f"{module} is a pure decision module but imports {bad}"


def test_surveys_never_imports_triage():
    for path in (ROOT / "surveys").rglob("*.py"):
        assert not any(n.split(".")[0] == "triage" for n in imports(path)), path


def test_extensions_import_no_project_code():
    names = imports(ROOT / "feedback_app" / "extensions.py")
    assert not any(n.split(".")[0] in ("feedback_app", "surveys", "triage") for n in names)


SURVEY_USE_CASES = ["surveys/people/services.py", "surveys/asking/services.py", "surveys/asking/results.py",
                    "surveys/answering/services.py"]


@pytest.mark.parametrize("module", PURE + SURVEY_USE_CASES + ["feedback_app/mail/outbox.py", "feedback_app/core/leases.py"])
def test_decision_code_takes_the_time_as_an_argument(module):
    source = (ROOT / module).read_text()
    assert "datetime.now(" not in source and "utcnow" not in source, f"{module} reads the clock"
