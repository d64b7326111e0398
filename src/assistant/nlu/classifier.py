"""The intent classifier: a softmax over the question's vector, its words and what it names.

Trained with scikit-learn's LogisticRegression on the example files in nlu/intents/ when the
index is built; answering only needs numpy (a matrix product and a softmax). The question's
vector is the one retrieval reuses, so a question costs one encoder forward.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml

from assistant.embed.base import Encoder
from assistant.nlu.entities import ENTITY_KINDS, Entities, EntityExtractor
from assistant.nlu.lexicon import LEXICON_FILE, Lexicon, views
from assistant.text import has_diacritics, strip_diacritics

INTENTS_DIR = Path(__file__).with_name("intents")
MODEL_FILE = "intents.npz"
META_FILE = "intents.json"
FORMAT = 4
# lexicon groups whose presence is a feature
SLOT_FEATURES = (
    "aspect.lead",
    "aspect.partner",
    "aspect.timeframe",
    "aspect.duties",
    "aspect.content",
    "aspect.targets",
    "aspect.report",
    "list",
    "define",
    "annual",
    "signer",
    "domain",
    "money",
    "legal_basis",
    "target_scope.orientation",
    "target_scope.general",
)
PLACEHOLDERS = {
    "agencies": "AGENCY",
    "products": "PRODUCT",
    "markets": "MARKET",
    "measures": "MEASURE",
    "places": "PLACE",
    "countries": "PLACE",
    "home": "HOME",
}
# feature group weights and regularization, chosen by 5-fold cross-validation on the examples
EMBED_WEIGHT = 5.0
LEXICAL_WEIGHT = 2.0
STRUCT_WEIGHT = 1.0
C_REGULARIZATION = 20.0


@dataclass(frozen=True)
class Example:
    """One training question and its intent."""

    text: str
    intent: str


def load_examples(folder: Path = INTENTS_DIR) -> list[Example]:
    """Every example of every intent file, plus the unmarked form of each marked one."""
    out: list[Example] = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        intent = str(data["intent"])
        for text in data["examples"]:
            out.append(Example(str(text), intent))
            if has_diacritics(str(text)):
                # people type without marks as often as with them: the same question, unmarked
                out.append(Example(strip_diacritics(str(text)), intent))
    return out


def examples_digest(examples: Sequence[Example]) -> str:
    """A hash of the training data, to know when the model is stale."""
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(f"{ex.intent}\t{ex.text}\n".encode())
    digest.update(f"format {FORMAT}".encode())
    # the slot phrases are features too: a changed lexicon makes the weights stale
    digest.update(LEXICON_FILE.read_bytes())
    return digest.hexdigest()[:16]


def text_features(
    text: str, entities: Entities, vocab: Lexicon
) -> tuple[list[str], npt.NDArray[np.float32]]:
    """The words and the structure of one question (or example), as the classifier reads them."""
    plain_view = views(text)[1]
    return lexical_tokens(plain_view, entities), structure(entities, plain_view, vocab)


def lexical_tokens(plain_view: str, entities: Entities) -> list[str]:
    """Words and word pairs of the question, with named things replaced by their kind."""
    chars = list(plain_view)
    for start, end, kind, _ in entities.spans:
        token = PLACEHOLDERS.get(kind, "NAME")
        chars[start:end] = list(token.lower().ljust(end - start))
    masked = "".join(chars)
    masked = re.sub(r"\b\d+\b", "num", masked)
    words = masked.split()
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]


def structure(entities: Entities, plain_view: str, vocab: Lexicon) -> npt.NDArray[np.float32]:
    """Which kinds of entity and which slot phrases the question has, as 0/1 features."""
    kinds = entities.kinds()
    values = [float(k in kinds) for k in ENTITY_KINDS]
    values += [float(vocab.has(name, plain_view)) for name in SLOT_FEATURES]
    return np.asarray(values, dtype=np.float32)


@dataclass
class IntentModel:
    """Trained weights: score = W @ features + b; softmax gives the confidence."""

    classes: list[str]
    vocab: dict[str, int]
    weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    digest: str
    encoder_name: str
    texts: list[str]
    vectors: npt.NDArray[np.float32]

    def features(
        self, vector: npt.NDArray[np.float32], tokens: list[str], struct: npt.NDArray[np.float32]
    ) -> npt.NDArray[np.float32]:
        """The feature vector of one question."""
        return featurize(vector, tokens, struct, self.vocab)

    def rank(self, features: npt.NDArray[np.float32]) -> list[tuple[str, float]]:
        """Every intent with its probability, best first."""
        scores = self.weights @ features + self.bias
        scores = scores - scores.max()
        probs = np.exp(scores)
        probs /= probs.sum()
        order = np.argsort(-probs)
        return [(self.classes[i], float(probs[i])) for i in order]

    def save(self, folder: Path) -> None:
        """Write the weights and their metadata beside the index."""
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{MODEL_FILE}.tmp.npz"
        np.savez(tmp, weights=self.weights, bias=self.bias, vectors=self.vectors)
        meta = {
            "format": FORMAT,
            "classes": self.classes,
            "vocab": self.vocab,
            "digest": self.digest,
            "encoder": self.encoder_name,
            "texts": self.texts,
        }
        tmp_meta = folder / f".{META_FILE}.tmp"
        tmp_meta.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        tmp.replace(folder / MODEL_FILE)
        tmp_meta.replace(folder / META_FILE)

    @classmethod
    def load(cls, folder: Path) -> IntentModel | None:
        """The saved model, or None when there is none or it is of another format."""
        try:
            meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
            arrays = np.load(folder / MODEL_FILE)
        except (OSError, ValueError):
            return None
        if meta.get("format") != FORMAT:
            return None
        return cls(
            classes=list(meta["classes"]),
            vocab=dict(meta["vocab"]),
            weights=np.asarray(arrays["weights"], dtype=np.float32),
            bias=np.asarray(arrays["bias"], dtype=np.float32),
            digest=str(meta["digest"]),
            encoder_name=str(meta["encoder"]),
            texts=list(meta["texts"]),
            vectors=np.asarray(arrays["vectors"], dtype=np.float32),
        )

    def cached_vectors(self) -> dict[str, npt.NDArray[np.float32]]:
        """The example vectors it was trained on, by text, for the next training."""
        if len(self.texts) != len(self.vectors):
            return {}
        return dict(zip(self.texts, self.vectors, strict=True))


def featurize(
    vector: npt.NDArray[np.float32],
    tokens: list[str],
    struct: npt.NDArray[np.float32],
    vocab: dict[str, int],
) -> npt.NDArray[np.float32]:
    """Vector, bag of known words (L2-normalized) and structure, concatenated."""
    bag = np.zeros(len(vocab), dtype=np.float32)
    for token in tokens:
        index = vocab.get(token)
        if index is not None:
            bag[index] = 1.0
    norm = float(np.linalg.norm(bag))
    if norm:
        bag /= norm
    return np.concatenate(
        [np.asarray(vector, dtype=np.float32), LEXICAL_WEIGHT * bag, STRUCT_WEIGHT * struct]
    )


@dataclass
class TrainingSet:
    """Examples with their features, kept for training and cross-validation."""

    examples: list[Example]
    matrix: npt.NDArray[np.float32]
    labels: list[str]
    vocab: dict[str, int]
    vectors: npt.NDArray[np.float32]


def embed_examples(
    texts: list[str], encoder: Encoder, cached: dict[str, npt.NDArray[np.float32]]
) -> npt.NDArray[np.float32]:
    """The vectors of the example texts, embedding only those not cached."""
    missing = sorted({t for t in texts if t not in cached})
    if missing:
        fresh = encoder.encode_queries(missing)
        cached = {**cached, **dict(zip(missing, fresh, strict=True))}
    return np.stack([cached[t] for t in texts]).astype(np.float32)


def training_set(
    examples: list[Example],
    encoder: Encoder,
    extractor: EntityExtractor,
    cached: dict[str, npt.NDArray[np.float32]] | None = None,
) -> TrainingSet:
    """Embed (only what is not cached) and featurize every example."""
    texts = [ex.text for ex in examples]
    vectors = embed_examples(texts, encoder, cached or {})
    token_lists, structs = [], []
    for text in texts:
        tokens, struct = text_features(text, extractor.extract(text), extractor.lexicon)
        token_lists.append(tokens)
        structs.append(struct)
    counts: dict[str, int] = {}
    for tokens in token_lists:
        for token in set(tokens):
            counts[token] = counts.get(token, 0) + 1
    vocab = {t: i for i, t in enumerate(sorted(t for t, n in counts.items() if n >= 2))}
    rows = [featurize(vectors[i], token_lists[i], structs[i], vocab) for i in range(len(examples))]
    matrix = np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
    return TrainingSet(examples, matrix, [ex.intent for ex in examples], vocab, vectors)


def _estimator() -> object:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C_REGULARIZATION, max_iter=3000, class_weight="balanced")


def train(data: TrainingSet, encoder_name: str, digest: str) -> IntentModel:
    """Fit the classifier on every example."""
    model = _estimator()
    model.fit(data.matrix, data.labels)  # type: ignore[attr-defined]
    return IntentModel(
        classes=[str(c) for c in model.classes_],  # type: ignore[attr-defined]
        vocab=data.vocab,
        weights=np.asarray(model.coef_, dtype=np.float32),  # type: ignore[attr-defined]
        bias=np.asarray(model.intercept_, dtype=np.float32),  # type: ignore[attr-defined]
        digest=digest,
        encoder_name=encoder_name,
        texts=[ex.text for ex in data.examples],
        vectors=data.vectors,
    )


def model_digest(examples: Sequence[Example], knowledge_hash: str) -> str:
    """What the trained model depends on: the examples and the names in the knowledge."""
    return f"{examples_digest(examples)}-{knowledge_hash}"


def ensure_model(
    extractor: EntityExtractor, encoder: Encoder, folder: Path, knowledge_hash: str
) -> IntentModel:
    """The saved model if it is current, else a newly trained one (saved beside the index)."""
    examples = load_examples()
    digest = model_digest(examples, knowledge_hash)
    saved = IntentModel.load(folder)
    if saved is not None and saved.digest == digest and saved.encoder_name == encoder.name:
        return saved
    cached = saved.cached_vectors() if saved and saved.encoder_name == encoder.name else {}
    model = train(training_set(examples, encoder, extractor, cached), encoder.name, digest)
    model.save(folder)
    return model


def cross_validated(data: TrainingSet, folds: int = 5) -> tuple[list[str], list[str]]:
    """(true, predicted) labels of every example, each predicted by a model that never saw it.

    An example and its unmarked twin always fall in the same fold, so a question cannot be
    recognized from its own copy.
    """
    from sklearn.model_selection import GroupKFold, cross_val_predict

    groups = [strip_diacritics(ex.text).lower() for ex in data.examples]
    predicted = cross_val_predict(
        _estimator(),
        data.matrix,
        data.labels,
        groups=groups,
        cv=GroupKFold(n_splits=folds),
    )
    return data.labels, [str(p) for p in predicted]
