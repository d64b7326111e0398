"""Replacing one knowledge file safely: validate a copy, keep a backup, swap atomically."""

from __future__ import annotations

import os
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
KNOWN = {PurePosixPath(rel).name: rel for rel in [*FILE_MODELS, BODY_FILE]}


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
