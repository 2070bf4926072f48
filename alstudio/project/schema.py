"""The project file's schema, as a baseline plus numbered migrations.

A new project is created by running the version-1 baseline and then every migration in order,
so each migration is exercised every time a project is created, not only on the rare day a
user opens an old file. ``SCHEMA_VERSION`` is the number of the last migration.

Rules the schema keeps:

* Labels are *events*; nothing is ever overwritten. The current label, the history, the
  disagreement and the time statistics are all queries over ``label_events``.
* ``items`` hold paths relative to a recorded dataset root and a content hash. Pixel data and
  patient identifiers stay in the user's files: there is no column for a patient name, ID or
  birth date, and the readers pass only an allow-list of tags into ``metadata``.
* Model weights live in ``checkpoints.weights`` as safetensors bytes, never pickles.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable

BASELINE_V1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE classes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    shortcut TEXT,
    colour TEXT NOT NULL,
    position INTEGER NOT NULL UNIQUE
);
CREATE TABLE annotators (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL DEFAULT 'annotator'
        CHECK (role IN ('annotator', 'adjudicator', 'simulator')),
    created_at TEXT NOT NULL
);
CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    root TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL
);
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id),
    path TEXT NOT NULL,
    kind TEXT NOT NULL,
    files TEXT NOT NULL,
    member TEXT,
    content_hash TEXT NOT NULL UNIQUE,
    split TEXT NOT NULL CHECK (split IN ('pool', 'test')),
    modality TEXT,
    shape TEXT NOT NULL,
    spacing TEXT,
    series_uid TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    reference_label INTEGER,
    added_at TEXT NOT NULL
);
CREATE INDEX items_split ON items(split);
CREATE TABLE label_events (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    annotator_id INTEGER NOT NULL REFERENCES annotators(id),
    decision TEXT NOT NULL CHECK (decision IN ('label', 'skip', 'unsure')),
    class_id INTEGER REFERENCES classes(id),
    started_at TEXT,
    submitted_at TEXT NOT NULL,
    seconds_spent REAL,
    note TEXT,
    CHECK ((decision = 'label') = (class_id IS NOT NULL))
);
CREATE INDEX label_events_item ON label_events(item_id);
CREATE TABLE checkpoints (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    architecture TEXT NOT NULL,
    hyperparameters TEXT NOT NULL DEFAULT '{}',
    metrics TEXT NOT NULL DEFAULT '{}',
    digest TEXT NOT NULL,
    weights BLOB NOT NULL
);
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    strategy TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    seed INTEGER,
    checkpoint_id INTEGER REFERENCES checkpoints(id),
    labels_used INTEGER NOT NULL,
    metrics TEXT NOT NULL DEFAULT '{}',
    explanation TEXT NOT NULL DEFAULT '',
    device TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL
);
CREATE TABLE queue (
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    item_id INTEGER NOT NULL REFERENCES items(id),
    rank INTEGER NOT NULL,
    score REAL,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (round_id, rank),
    UNIQUE (round_id, item_id)
);
"""


def _v2_undo_and_audit(conn: sqlite3.Connection) -> None:
    """Undo as an event, and an audit log.

    Undo must not delete a label (events are append-only), so an undo appends a retraction
    that points at the event it takes back. The audit log records who did what to the project
    (imports, rounds, exports, migrations): the trail a clinical study has to keep.
    """
    for statement in (
        """CREATE TABLE label_retractions (
            event_id INTEGER PRIMARY KEY REFERENCES label_events(id),
            annotator_id INTEGER NOT NULL REFERENCES annotators(id),
            retracted_at TEXT NOT NULL
        )""",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            details TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX label_events_annotator ON label_events(annotator_id, id)",
    ):
        conn.execute(statement)


def _v3_queue_predictions(conn: sqlite3.Connection) -> None:
    """The model's class probabilities for each queued item.

    Blind mode hides them until the annotator has labeled; afterwards the label panel can show
    what the model thought, which is also the raw material of the disagreement view.
    """
    conn.execute("ALTER TABLE queue ADD COLUMN probs TEXT")


def _v4_readers(conn: sqlite3.Connection) -> None:
    """Several readers: why an adjudicator settled an item, and which items need more reads.

    ``label_events.reason`` holds an adjudication's reason (reader error, ambiguous image,
    guideline clarified, other: text); plain labels leave it empty. ``read_requests`` is
    append-only like the events: each row asks for ``reads`` readers on an item (a round's
    second-read sample, or an item sent for a second read later); an item's required reads
    are the largest number asked for, one when nothing was asked.
    """
    for statement in (
        "ALTER TABLE label_events ADD COLUMN reason TEXT",
        """CREATE TABLE read_requests (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES items(id),
            reads INTEGER NOT NULL CHECK (reads >= 1),
            round_id INTEGER REFERENCES rounds(id),
            why TEXT NOT NULL DEFAULT '',
            requested_at TEXT NOT NULL
        )""",
        "CREATE INDEX read_requests_item ON read_requests(item_id)",
    ):
        conn.execute(statement)


def _v5_provenance_and_label_errors(conn: sqlite3.Connection) -> None:
    """Where work came from, and the labels the model doubts.

    Readers label on separate offline workstations and merge their files later, so each file
    gets a workstation id (``meta.workstation_id``) and label events, rounds and checkpoints
    brought in from elsewhere record the workstation they were made on (NULL: made here).
    ``label_events.origin`` is a stable key for events brought in from a file (a CSV of
    earlier reads) so that importing or merging the same work twice adds nothing;
    ``rounds.origin_number`` is the number a merged round had where it ran.

    ``label_error_runs`` / ``suspected_label_errors`` hold the result of a confident-learning
    check: items whose given label the model's out-of-sample probabilities contradict. They
    are a list for a second read, never a change to any label.
    """
    for statement in (
        "ALTER TABLE label_events ADD COLUMN workstation TEXT",
        "ALTER TABLE label_events ADD COLUMN origin TEXT",
        "CREATE UNIQUE INDEX label_events_origin ON label_events(origin) "
        "WHERE origin IS NOT NULL",
        "ALTER TABLE rounds ADD COLUMN workstation TEXT",
        "ALTER TABLE rounds ADD COLUMN origin_number INTEGER",
        "ALTER TABLE checkpoints ADD COLUMN workstation TEXT",
        """CREATE TABLE label_error_runs (
            id INTEGER PRIMARY KEY,
            round_id INTEGER REFERENCES rounds(id),
            found_at TEXT NOT NULL,
            checked INTEGER NOT NULL,
            params TEXT NOT NULL DEFAULT '{}'
        )""",
        """CREATE TABLE suspected_label_errors (
            run_id INTEGER NOT NULL REFERENCES label_error_runs(id),
            item_id INTEGER NOT NULL REFERENCES items(id),
            given_class TEXT NOT NULL,
            probs TEXT NOT NULL,
            score REAL NOT NULL,
            found_at TEXT NOT NULL,
            PRIMARY KEY (run_id, item_id)
        )""",
    ):
        conn.execute(statement)
    conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('workstation_id', ?)",
                 (uuid.uuid4().hex,))


# version reached -> step from the version before it
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    2: _v2_undo_and_audit,
    3: _v3_queue_predictions,
    4: _v4_readers,
    5: _v5_provenance_and_label_errors,
}

SCHEMA_VERSION = max(MIGRATIONS)
