"""What a process pays at start-up: a web worker and every `feedback` command import the app, and most
never stem a word or train a model. nltk (and through it scikit-learn and scipy) cost 130 MB and ~2 s
there; they are imported when first needed, and nltk without scikit-learn and scipy.

Each check runs in a fresh interpreter: this test process has long imported everything."""
from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("nltk", "numpy", "scipy", "sklearn")


def _loaded_after(code: str, tmp_path) -> dict:
    probe = (f"import json, sys\n{code}\n"
             f"print(json.dumps({{name: name in sys.modules for name in {HEAVY!r}}}))")
    env = {"FEEDBACK_DATABASE_URL": f"sqlite:///{tmp_path / 'probe.db'}", "FEEDBACK_SECRET_KEY": "probe-secret-0123456789",
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_app_starts_without_the_classifiers_libraries(tmp_path):
    loaded = _loaded_after("from feedback_app import create_app\ncreate_app()", tmp_path)
    assert not any(loaded.values()), loaded


def test_stemming_loads_nltk_without_scikit_learn_or_scipy_and_training_still_finds_them(tmp_path):
    loaded = _loaded_after(
        "from triage.language.text import stem\n"
        "assert (stem('running', 'en'), stem('المكتبات', 'ar')) == ('run', 'كتب')\n", tmp_path)
    assert loaded == {"nltk": True, "numpy": True, "scipy": False, "sklearn": False}
    loaded = _loaded_after(
        "from triage.classification.classifier import Classifier, Example\n"
        "model = Classifier.train([Example('it crashes on start', 'functionality'),\n"
        "                          Example('please add a dark mode', 'feature_request')])\n"
        "assert model.classify('the app crashes').type == 'functionality'\n", tmp_path)
    assert all(loaded.values()), loaded
