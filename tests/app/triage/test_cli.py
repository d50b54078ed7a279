import json

from sqlalchemy import func, select

from feedback_app.core.extensions import db
from triage.models import ModelVersion, TrainingExample


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


LABELS = ("text,label,lang\n"
          "please add a dark mode,feature_request,en\n"
          "support never called back,service,en\n"
          "\"charged twice, no refund\",pricing,en\n"
          "نتمنى إضافة الوضع الليلي,feature_request,ar\n"
          "پشتیبانی جواب نمیده,service,fa\n"
          "the export button does nothing,functionality,en\n")


def test_evaluate_prints_per_type_confusion_per_language_and_macro_f1_last(app, tmp_path):
    path = tmp_path / "labelled.csv"
    path.write_text(LABELS, encoding="utf-8")
    result = run(app, "triage", "evaluate", str(path))
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("macro_f1=0.") or lines[-1] == "macro_f1=1.000"
    assert any(line.startswith("feature_request") for line in lines)
    assert "confusion (rows: true type, columns: predicted)" in result.output
    assert "macro_f1[ar]=" in result.output and "macro_f1[fa]=" in result.output
    # It never trains on what it evaluates: no team label was stored, only the first model exists.
    assert db.session.scalar(select(func.count(TrainingExample.id))) == 0
    assert db.session.scalar(select(func.count(ModelVersion.id))) == 1


def test_classify_reads_lines_and_writes_json_lines(app):
    result = run(app, "triage", "classify", input="I was charged twice\nنتمنى إضافة الوضع الليلي\n🙂\n")
    rows = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [r["language"] for r in rows] == ["en", "ar", "und"]
    assert rows[0]["type"] == "pricing" and rows[1]["type"] == "feature_request" and rows[2]["type"] is None
    assert all({"type", "confidence", "theme", "language"} <= set(r) for r in rows)


def test_import_labels_then_train(app, tmp_path):
    path = tmp_path / "history.csv"
    path.write_text(LABELS + "something,not_a_type,en\n,service,en\n", encoding="utf-8")
    imported = run(app, "triage", "import-labels", str(path))
    assert imported.exit_code == 0
    assert "6 labels imported, 2 rows not imported" in imported.output and "unknown label 'not_a_type'" in imported.output
    trained = run(app, "triage", "train")
    assert trained.exit_code == 0 and "activated" in trained.output
    assert db.session.scalar(select(ModelVersion.examples).order_by(ModelVersion.id.desc()).limit(1)) >= 1


def test_labelled_file_without_the_right_columns_is_refused(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("comment,type\nx,y\n", encoding="utf-8")
    result = run(app, "triage", "evaluate", str(path))
    assert result.exit_code != 0 and "'text' and 'label'" in result.output
