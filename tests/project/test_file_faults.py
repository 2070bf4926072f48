"""Files alstudio refuses stay untouched; damaged files are refused; backups and copies work."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from alstudio.errors import DamagedProjectError, ProjectError, ReadOnlyProjectError
from alstudio.project import SCHEMA_VERSION, Project
from alstudio.project.backups import BACKUP_KEEP, backups, copy_project
from alstudio.project.integrity import file_problem
from tests.project.conftest import make_item


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def siblings(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


def _newer_schema(path: Path) -> None:
    Project.create(path, ["a", "b"]).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                 (str(SCHEMA_VERSION + 1),))
    conn.commit()
    conn.close()


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes(text) VALUES ('mine')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("make, message", [
    (_newer_schema, "understands schema version"),
    (_foreign, "not an alstudio project"),
    (lambda p: p.write_bytes(b""), "empty"),
    (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 20), "cut short"),
    (lambda p: p.write_bytes(os.urandom(4096)), "not an SQLite database"),
])
def test_refused_files_stay_byte_identical(tmp_path: Path, make, message: str) -> None:
    path = tmp_path / "x.alstudio"
    make(path)
    before, names = digest(path), siblings(path)
    with pytest.raises(ProjectError, match=message):
        Project.open(path)
    assert digest(path) == before
    assert siblings(path) == names  # no -wal, -shm, journal or backup left beside it


def test_label_writes_are_synchronous_full(project: Project) -> None:
    # WAL + FULL: a committed label survives a power cut, not only a crash
    assert project.db.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_open_backs_up_and_rounds_roll_the_backups(stocked: Project) -> None:
    path = stocked.path
    stocked.close()
    with Project.open(path) as project:
        assert len(backups(path)) == 1
        for n in range(BACKUP_KEEP + 2):
            project.save_round(strategy="random", params={}, seed=n, labels_used=0,
                               metrics={}, queue=[], started_at="2026-01-01T00:00:00Z")
    kept = backups(path)
    assert len(kept) == BACKUP_KEEP
    assert all(file_problem(b) is None for b in kept)
    with Project.open(kept[0]) as newest:
        assert len(newest.rounds()) == BACKUP_KEEP + 2


def _damage(path: Path) -> None:
    """Overwrite the middle of the file (the item table's pages) with garbage."""
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page * 2, len(data) - page, page):
        data[offset + 10:offset + 60] = b"\xff" * 50
    path.write_bytes(bytes(data))


def test_damaged_project_is_refused_naming_the_newest_good_backup(stocked: Project,
                                                                   tmp_path: Path) -> None:
    path = stocked.path
    stocked.add_items(stocked.dataset_root_id(tmp_path),
                      [make_item(n) for n in range(100, 400)])
    stocked.close()
    Project.open(path).close()  # the backup taken on open
    good = backups(path)[0]
    _damage(path)
    with pytest.raises(DamagedProjectError) as info:
        Project.open(path)
    text = str(info.value)
    assert "damaged" in text and str(good) in text and "alstudio copy" in text
    # the restore the message describes works
    path.rename(path.with_name(path.name + ".damaged"))
    copy_project(good, path)
    with Project.open(path) as restored:
        assert restored.count_items()["pool"] == 306


def _index_out_of_step(path: Path) -> None:
    """Change one key inside an index page: every page stays well-formed (quick check ok), but
    the index no longer matches its table (integrity check fails)."""
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'items_split'"
                        ).fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * size
    at = data.rfind(b"pool", start, start + size)
    data[at:at + 4] = b"poom"
    path.write_bytes(bytes(data))


def test_full_check_failure_refuses_writes(stocked: Project) -> None:
    path = stocked.path
    stocked.close()
    _index_out_of_step(path)
    assert file_problem(path, full=False) is None and file_problem(path, full=True)
    with pytest.raises(DamagedProjectError, match="missing from index"):
        Project.open(path, full_check=True)  # what `alstudio label` and `import` use
    with Project.open(path) as project:  # the GUI: quick check now, full check in background
        assert project.verify(full=True) is not None
        with pytest.raises(ReadOnlyProjectError, match=r"Nothing was written.*integrity"):
            project.add_label(1, "dr_a", "normal")


def test_copy_while_open_holds_the_latest_labels(stocked: Project, tmp_path: Path) -> None:
    stocked.db.execute("PRAGMA wal_autocheckpoint=0")  # keep the labels in the -wal file
    for n in range(1, 6):
        stocked.add_label(n, "dr_a", "normal")
    source = digest(stocked.path)
    out = tmp_path / "copy.alstudio"
    copy_project(stocked.path, out)
    assert digest(stocked.path) == source
    assert not Path(f"{out}-wal").exists()
    with Project.open(out) as copy:
        assert len(copy.label_events()) == 5
    with pytest.raises(ProjectError, match="already exists"):
        copy_project(stocked.path, out)


def test_close_folds_the_wal_back_so_a_plain_copy_is_complete(stocked: Project,
                                                              tmp_path: Path) -> None:
    stocked.db.execute("PRAGMA wal_autocheckpoint=0")
    stocked.add_label(1, "dr_a", "normal")
    stocked.close()
    plain = tmp_path / "plain.alstudio"
    shutil.copyfile(stocked.path, plain)  # the file alone, without any -wal
    with Project.open(plain) as copy:
        assert len(copy.label_events()) == 1


def test_read_only_open_reads_and_refuses_writes_plainly(stocked: Project) -> None:
    path = stocked.path
    stocked.add_label(1, "dr_a", "normal")
    stocked.close()
    before = digest(path)
    with Project.open(path, read_only=True) as project:
        assert project.read_only_reason is not None
        assert len(project.label_events()) == 1
        with pytest.raises(ReadOnlyProjectError, match=r"Nothing was written.*read-only"):
            project.add_label(2, "dr_a", "normal")
    assert digest(path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through chmod: permissions cannot "
                    "make a file read-only for it (covered by read_only=True above)")
def test_read_only_folder_opens_read_only(stocked: Project) -> None:
    path = stocked.path
    stocked.close()
    folder = path.parent
    folder.chmod(0o555)
    try:
        with Project.open(path) as project:
            assert "read-only" in (project.read_only_reason or "")
            assert project.count_items()["pool"] == 6
    finally:
        folder.chmod(0o755)
