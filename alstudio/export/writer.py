"""Writing an export folder safely: staged beside the target, moved in at the end, the
manifest last.

Files are written into a hidden staging folder next to the target. Only when the format has
finished are they moved into place and ``manifest.json`` is written (to a temporary name,
then renamed), so a cancelled or failed export leaves the target as it was and never leaves
a manifest that lists files which are not there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from alstudio.errors import AlstudioError

MANIFEST = "manifest.json"
_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_target(out: Path, force: bool) -> None:
    """Refuse a non-empty folder unless ``force``; refuse a file where a folder should be."""
    if out.exists() and not out.is_dir():
        raise AlstudioError(f"{out} is a file, not a folder.", "Choose a folder for --out.")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise AlstudioError(f"{out} is not empty; an export never overwrites files.",
                            "Choose an empty folder, or pass --force to write into it.")
    parent = out.parent if out.parent != Path("") else Path(".")
    if not parent.is_dir():
        raise AlstudioError(f"The folder {parent} does not exist.",
                            "Create it first or choose another --out.")


class ExportWriter:
    """Collects an export's files in a staging folder and commits them in one go."""

    def __init__(self, out: Path, force: bool = False) -> None:
        """Check the target now, so nothing is staged for an export that cannot land."""
        self.out = Path(out).absolute()
        check_target(self.out, force)
        self.staging = self.out.parent / f".{self.out.name}.partial-{uuid.uuid4().hex[:8]}"
        self.staging.mkdir()
        self._files: list[str] = []

    def path(self, rel: str) -> Path:
        """A staged path for ``rel`` (posix, relative to the export root), parents made."""
        if rel == MANIFEST or rel.startswith(("/", "..")) or "/../" in rel:
            raise ValueError(f"not a valid export path: {rel!r}")
        target = self.staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel not in self._files:
            self._files.append(rel)
        return target

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Stage ``data`` as ``rel``."""
        self.path(rel).write_bytes(data)

    def write_text(self, rel: str, text: str) -> None:
        """Stage UTF-8 text as ``rel``."""
        self.path(rel).write_text(text, encoding="utf-8")

    def write_json(self, rel: str, value: Any) -> None:
        """Stage a readable (indented, UTF-8) JSON file as ``rel``."""
        self.write_text(rel, json.dumps(value, indent=2, ensure_ascii=False) + "\n")

    def copy_file(self, rel: str, source: str | Path) -> None:
        """Stage a byte-for-byte copy of ``source`` as ``rel``."""
        shutil.copyfile(source, self.path(rel))

    def unique(self, rel: str) -> str:
        """``rel`` or ``rel`` with a counter before the suffix, so no two items collide."""
        if rel not in self._files:
            return rel
        folder, slash, name = rel.rpartition("/")
        base, dot, suffix = name.partition(".")  # keeps ".nii.gz" whole
        n = 2
        while f"{folder}{slash}{base}-{n}{dot}{suffix}" in self._files:
            n += 1
        return f"{folder}{slash}{base}-{n}{dot}{suffix}"

    @property
    def files(self) -> list[str]:
        """The staged paths, in the order they were written."""
        return list(self._files)

    def commit(self, manifest: dict[str, Any]) -> dict[str, str]:
        """Hash every staged file, move them into the target, then write the manifest.

        Returns the ``{path: sha256}`` table that the manifest also holds.
        """
        hashes = {rel: sha256_of(self.staging / rel) for rel in sorted(self._files)}
        self.out.mkdir(exist_ok=True)
        old_manifest = self.out / MANIFEST
        if old_manifest.exists():  # --force over an earlier export: never a stale manifest
            old_manifest.unlink()
        for rel in hashes:
            target = self.out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.staging / rel, target)
        manifest = {**manifest, "files": hashes}
        tmp = self.out / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                       encoding="utf-8")
        os.replace(tmp, self.out / MANIFEST)
        shutil.rmtree(self.staging, ignore_errors=True)
        return hashes

    def abort(self) -> None:
        """Throw the staged files away; the target is left as it was."""
        shutil.rmtree(self.staging, ignore_errors=True)
