"""Replacing one knowledge file safely: validate a copy, keep a backup, swap atomically."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from assistant.errors import InputError, Problem
from assistant.knowledge.loader import load_knowledge
from assistant.knowledge.models import BODY_FILE, FILE_MODELS

MAX_BYTES = 512 * 1024
# a table of measures or an ePing export of notifications (the Bot API serves files to 20 MB)
TABLE_MAX_BYTES = 20 * 1024 * 1024
TABLE_SUFFIXES = (".csv", ".xlsx")
KNOWN = {PurePosixPath(rel).name: rel for rel in [*FILE_MODELS, BODY_FILE]}


def is_table(file_name: str) -> bool:
    """A spreadsheet to import, rather than a knowledge file to replace."""
    return PurePosixPath(file_name or "").suffix.lower() in TABLE_SUFFIXES


def keep_table(folder: Path, file_name: str, data: bytes) -> str:
    """Keep an uploaded table under a token (its content hash), so it can be imported later."""
    suffix = PurePosixPath(file_name).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(f"not a .csv or .xlsx file: {file_name!r}")
    if len(data) > TABLE_MAX_BYTES:
        raise InputError(f"file too large: {len(data)} bytes (at most {TABLE_MAX_BYTES})")
    token = hashlib.sha256(data).hexdigest()[:12]
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{token}.*"):
        old.unlink()
    (folder / f"{token}{suffix}").write_bytes(data)
    return token


def kept_table(folder: Path, token: str) -> Path:
    """The table kept under a token; InputError if there is none."""
    found = sorted(folder.glob(f"{token}.*")) if re.fullmatch(r"[0-9a-f]{12}", token) else []
    if not found:
        raise InputError(f"no uploaded table {token!r} (send the file again)")
    return found[0]


@dataclass
class UploadCheck:
    """The outcome of validating an uploaded file against the rest of the knowledge."""

    rel: str
    problems: list[Problem] = field(default_factory=list)


def target_for(file_name: str) -> str:
    """The knowledge path an uploaded file name stands for; rejects anything else."""
    name = unicodedata.normalize("NFC", file_name or "").strip()
    if not name or name != PurePosixPath(name).name or "\\" in name or name.startswith("."):
        raise InputError(f"not a plain file name: {file_name!r}")
    if name not in KNOWN:
        raise InputError(f"unknown knowledge file: {name!r}")
    return KNOWN[name]


def check_upload(knowledge_dir: Path, rel: str, data: bytes) -> UploadCheck:
    """Validate the whole knowledge with this one file replaced, without touching the real one."""
    if len(data) > MAX_BYTES:
        raise InputError(f"file too large: {len(data)} bytes (at most {MAX_BYTES})")
    with tempfile.TemporaryDirectory(prefix="knowledge-check-") as tmp:
        copy = Path(tmp) / "knowledge"
        shutil.copytree(knowledge_dir, copy)
        (copy / rel).write_bytes(data)
        _, problems = load_knowledge(copy)
    return UploadCheck(rel, problems)


def replace_file(knowledge_dir: Path, backup_dir: Path, rel: str, data: bytes) -> Path:
    """Back up the current file, then atomically put the new content in its place."""
    target = knowledge_dir / rel
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = backup_dir / f"{stamp}-{rel.replace('/', '_')}"
    if target.exists():
        shutil.copy2(target, backup)
    staging = target.with_name(f".{target.name}.upload")
    staging.write_bytes(data)
    os.replace(staging, target)
    return backup
