"""Creating, opening, migrating and refusing project files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from alstudio import __version__
from alstudio.errors import ProjectError, SchemaTooNewError
from alstudio.project import SCHEMA_VERSION, Project
from alstudio.project import connection as connection_module
from alstudio.project.schema import BASELINE_V1, MIGRATIONS


def write_v1_project(path: Path) -> None:
    """A project as the first schema version wrote it, with one labeled item."""
    conn = sqlite3.connect(path)
    conn.executescript(BASELINE_V1)
    conn.executescript(
        """
        INSERT INTO meta VALUES ('schema_version', '1'), ('app_version', '0.0.1'),
                                ('name', 'old');
        INSERT INTO classes VALUES (1, 'normal', '1', '#4e9a06', 0);
        INSERT INTO annotators VALUES (1, 'dr_a', 'annotator', '2026-01-01T00:00:00Z');
        INSERT INTO datasets VALUES (1, '/data', '2026-01-01T00:00:00Z');
        INSERT INTO items(id, dataset_id, path, kind, files, content_hash, split, shape,
                          added_at)
            VALUES (1, 1, 'a.dcm', 'dicom', '["a.dcm"]', 'h', 'pool', '[8, 8]', 'x');
        INSERT INTO label_events(item_id, annotator_id, decision, class_id, submitted_at)
            VALUES (1, 1, 'label', 1, '2026-01-01T00:00:01Z');
        """
    )
    conn.commit()
    conn.close()


def test_new_project_has_wal_foreign_keys_and_versions(project: Project) -> None:
    meta = project.meta()
    assert meta["schema_version"] == str(SCHEMA_VERSION)
    assert meta["app_version"] == __version__
    assert project.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert project.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert project.class_names() == ["normal", "abnormal"]
    assert [c.shortcut for c in project.classes()] == ["1", "2"]


def test_no_column_can_hold_patient_identifiers(project: Project) -> None:
    columns = {
        column.lower()
        for table in project.db.table_names()
        for column in project.db[table].columns_dict
    }
    for forbidden in ("patient_name", "patientname", "patient_id", "patientid", "birth_date",
                      "birthdate", "accession"):
        assert forbidden not in columns


def test_create_refuses_to_overwrite(project: Project) -> None:
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(project.path, ["a"])


def test_create_leaves_no_temporary_files(tmp_path: Path) -> None:
    Project.create(tmp_path / "p.alstudio", ["a"]).close()
    leftovers = [p.name for p in tmp_path.iterdir() if "creating" in p.name]
    assert leftovers == []


def test_newer_schema_is_refused_naming_both_versions(tmp_path: Path) -> None:
    path = tmp_path / "future.alstudio"
    Project.create(path, ["a"]).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaTooNewError) as info:
        Project.open(path)
    assert "99" in str(info.value) and str(SCHEMA_VERSION) in str(info.value)


def test_old_schema_migrates_after_backup_and_keeps_labels(tmp_path: Path) -> None:
    path = tmp_path / "old.alstudio"
    write_v1_project(path)
    with Project.open(path) as project:
        assert project.meta()["schema_version"] == str(SCHEMA_VERSION)
        assert project.current_labels()[1].consensus == "normal"
        assert project.undo_last_label("dr_a") is not None  # the v2 feature works
        assert project.audit_log()[0]["action"] == "migrate"
    backups = list(tmp_path.glob("old.alstudio.schema1-backup-*"))
    assert len(backups) == 1
    conn = sqlite3.connect(backups[0])
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("1",)
    conn.close()


def test_failed_migration_leaves_file_unchanged(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.alstudio"
    write_v1_project(path)

    def broken(conn: sqlite3.Connection) -> None:
        MIGRATIONS_ORIGINAL(conn)
        raise RuntimeError("disk full")

    MIGRATIONS_ORIGINAL = MIGRATIONS[2]
    monkeypatch.setitem(connection_module.MIGRATIONS, 2, broken)
    with pytest.raises(ProjectError, match="left unchanged") as info:
        Project.open(path)
    assert "backup" in str(info.value)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("1",)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "label_retractions" not in tables
    conn.close()


def test_not_a_project(tmp_path: Path) -> None:
    junk = tmp_path / "junk.alstudio"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ProjectError, match="not a readable alstudio project"):
        Project.open(junk)
    with pytest.raises(ProjectError, match="No project file"):
        Project.open(tmp_path / "missing.alstudio")
