"""The master dataset: SQLite in the state folder, one transaction a run.

Every accepted file is a submission (content hash, original name, unit, kind, received time). A
submission's `supersede_key` says what it replaces: a unit's latest accepted roster supersedes its
earlier ones; history is kept, nothing is deleted. The same bytes accepted twice are one submission; each later
arrival of them is an `arrivals` row (重复), and when those bytes had been superseded meanwhile the arrival makes
them current again: the latest arrival wins. `current` holds, per supersede key, the submission in force.
"""
from __future__ import annotations

import json
import math
import re
import sqlite3
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from sureform.issues import Issue

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    as_of TEXT NOT NULL,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(id),
    sha256 TEXT NOT NULL,
    original_name TEXT NOT NULL,
    rel_path TEXT NOT NULL,
    unit TEXT,
    kind TEXT,
    supersede_key TEXT,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
    received_at TEXT NOT NULL,
    stored_path TEXT,
    rows INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS one_accepted_copy ON submissions(sha256) WHERE status = 'accepted';
CREATE INDEX IF NOT EXISTS submissions_key ON submissions(supersede_key, status);
CREATE TABLE IF NOT EXISTS records (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    kind TEXT NOT NULL,
    sheet TEXT,
    row INTEGER,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_submission ON records(submission_id);
CREATE TABLE IF NOT EXISTS issues (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    sheet TEXT, row INTEGER, column_label TEXT, cell TEXT, value TEXT, message TEXT, item TEXT
);
CREATE TABLE IF NOT EXISTS releases (
    sha256 TEXT NOT NULL,
    rel_path TEXT NOT NULL,
    released_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS releases_sha ON releases(sha256, rel_path);
CREATE TABLE IF NOT EXISTS arrivals (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(id),
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    sha256 TEXT NOT NULL,
    original_name TEXT NOT NULL,
    rel_path TEXT NOT NULL,
    unit TEXT,
    received_at TEXT NOT NULL,
    reinstated INTEGER NOT NULL DEFAULT 0,
    released INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS arrivals_sha ON arrivals(sha256, rel_path);
CREATE TABLE IF NOT EXISTS current (
    supersede_key TEXT PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id)
);
-- a master from before `current`: its latest accepted submission per key is the one in force
INSERT OR IGNORE INTO current (supersede_key, submission_id)
    SELECT supersede_key, max(id) FROM submissions
    WHERE status = 'accepted' AND supersede_key IS NOT NULL GROUP BY supersede_key;
-- 汇总.xlsx's rows of one submission on one sheet, rendered once (outputs.sheet_xml) and reused while the sheet's
-- columns and their widths stay as they were: derived data, dropped when its submission is no longer current
CREATE TABLE IF NOT EXISTS sheet_rows (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    sheet TEXT NOT NULL,
    version TEXT NOT NULL,
    widths TEXT NOT NULL,
    layout TEXT NOT NULL,
    rows INTEGER NOT NULL,
    xml BLOB NOT NULL,
    PRIMARY KEY (submission_id, sheet)
);
-- the roster schema's issues of one submission as of a date (`stamp`: the date, the edition, the code), kept so
-- that consolidation checks again only what changed: derived data, replaced when the stamp moves on
CREATE TABLE IF NOT EXISTS roster_checks (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
    stamp TEXT NOT NULL,
    issues TEXT NOT NULL
);
DROP VIEW IF EXISTS current_submissions;
CREATE VIEW current_submissions AS
    SELECT s.* FROM submissions s JOIN current c ON c.submission_id = s.id;
"""


@dataclass
class Submission:
    sha256: str
    original_name: str
    rel_path: str
    unit: str | None
    kind: str | None
    supersede_key: str | None
    status: str
    received_at: str
    stored_path: str | None
    records: list[dict]
    issues: list  # Issue
    stored: list[str] | None = None  # the records as `record_json` writes them, when a reader process did already


def record_json(rec: dict) -> str:
    """A record as the store keeps it: its public keys as JSON."""
    return json.dumps(public_record(rec), ensure_ascii=False, default=json_default)


RECORDS_CHUNK = 5000  # records decoded at once
SHARED_TEXT = 24  # texts this short are kept once however many records hold them


def json_default(v):
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    raise TypeError(type(v))


_INT_DIGITS = 15  # an int of more digits in a stored record (from before values were bounded) is read as None


def _bounded_int(text: str):
    return int(text) if len(text.lstrip("-")) <= _INT_DIGITS else None


def _bounded_float(text: str):
    value = float(text)
    return value if math.isfinite(value) else None


def _no_constant(_text: str):
    return None  # NaN, Infinity, -Infinity


_XML_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what no document or workbook can hold


def _without_control(value):
    if isinstance(value, str):
        return _XML_REFUSED.sub("", value)
    if isinstance(value, dict):
        return {k: _without_control(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_control(v) for v in value]
    return value


def loads_record(text: str):
    """A stored record: any number it holds is one the checks and outputs can use (an older master may hold an
    int of hundreds of digits, NaN or an infinity: they are read as blank, never a crash of every later run), and
    its text holds no control character an output cannot write (read since issue 10 removes them; an older
    master may keep some: JSON writes them as \\u00XX, so only such a record is cleaned)."""
    record = json.loads(text, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant)
    return _without_control(record) if "\\u00" in text else record


def _bounded_value(value):
    """A value json_extract returned, bounded as `loads_record` bounds it."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int) and abs(value) >= 10 ** _INT_DIGITS:
        return None
    if isinstance(value, str) and not value.isprintable():  # (the quick test: most text is printable)
        return _XML_REFUSED.sub("", value)
    return value


class _Database:
    """One SQLite file opened the one way sureform opens them (WAL, synchronous writes, rows by name), its schema
    created when missing; a context manager that closes it."""

    schema = ""  # the CREATE … IF NOT EXISTS script of the subclass

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.executescript(self.schema)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Store(_Database):
    schema = SCHEMA

    @contextmanager
    def transaction(self):
        """All or nothing: a run that dies inside leaves the dataset as it was before."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # --- reads -----------------------------------------------------------------------------
    def accepted_by_hash(self, sha256: str) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT * FROM submissions WHERE sha256 = ? AND status = 'accepted'", (sha256,)
        ).fetchone()

    def current_submissions(self, kind: str | None = None) -> list[sqlite3.Row]:
        sql = "SELECT * FROM current_submissions"
        args: tuple = ()
        if kind:
            sql += " WHERE kind = ?"
            args = (kind,)
        return self.conn.execute(sql + " ORDER BY unit, id", args).fetchall()

    def current_units(self, kind: str) -> list[tuple[int, str | None]]:
        """(submission id, unit) of the current submissions of one kind, in `current_records`' order."""
        return [(r["id"], r["unit"]) for r in self.conn.execute(
            "SELECT id, unit FROM current_submissions WHERE kind = ? ORDER BY unit, id", (kind,))]

    def current_records(self, kind: str) -> list[dict]:
        """Records of the current submissions of one kind, each with its unit and origin."""
        return self._records("WHERE r.kind = ?", (kind,))

    def records_of(self, kind: str, submission_ids: list[int]) -> list[dict]:
        """`current_records` of only these submissions (current or not), in the same order."""
        out: list[dict] = []
        ids = sorted(set(submission_ids))
        for start in range(0, len(ids), 500):  # SQLite's limit on parameters is far above this
            chunk = ids[start:start + 500]
            out += self._records(f"WHERE r.kind = ? AND r.submission_id IN ({','.join('?' * len(chunk))})",
                                 (kind, *chunk), source="submissions")
        # ORDER BY unit, id across the chunks: NULL first, text by code point (SQLite's BINARY on UTF-8); stable,
        # so each submission's rows keep their order
        out.sort(key=lambda rec: (rec["_unit"] is not None, rec["_unit"] or "", rec["_submission"]))
        return out

    def _records(self, where: str, args: tuple, source: str = "current_submissions") -> list[dict]:
        cursor = self.conn.execute(
            f"""SELECT r.data, s.id AS submission_id, s.unit, s.rel_path, s.received_at
               FROM records r JOIN {source} s ON s.id = r.submission_id
               {where} ORDER BY s.unit, s.id, r.rowid""",
            args,
        )
        # A full master holds 60,000 records and more: decoded a chunk at a time (never all the JSON text at once),
        # one decode a chunk (the decoder keeps one copy of each key per chunk), and what repeats kept once: a
        # submission's origin, each distinct header's `_cols`, each short text (a 院系, a post, a date)
        out: list[dict] = []
        origins: dict[int, dict] = {}
        headers: dict = {}
        texts: dict[str, str] = {}
        while rows := cursor.fetchmany(RECORDS_CHUNK):
            # (`loads_record` bounds every number; a control character in any of them cleans the chunk's text)
            for rec, (_, sid, unit, rel, received) in zip(loads_record("[" + ",".join([r[0] for r in rows]) + "]"),
                                                          rows):
                for k, v in rec.items():
                    if v.__class__ is str and len(v) <= SHARED_TEXT:
                        rec[k] = texts.setdefault(v, v)
                cols = rec.get("_cols")
                if cols:
                    rec["_cols"] = headers.setdefault(tuple(cols.items()), cols)
                origin = origins.get(sid)
                if origin is None:
                    origin = origins[sid] = {"_unit": unit, "_file": rel, "_submission": sid, "_received": received}
                rec.update(origin)
                out.append(rec)
        return out

    def current_values(self, kind: str, key: str) -> list[tuple[str, str, object]]:
        """(unit, file, value of `key`) of each current record of one kind, in `current_records`' order: one
        value read inside SQLite instead of whole records decoded (a full master holds tens of thousands)."""
        return [(u, f, _bounded_value(v)) for u, f, v in self._json_query(
            """SELECT s.unit, s.rel_path, json_extract(r.data, '$.' || ?)
               FROM records r JOIN current_submissions s ON s.id = r.submission_id
               WHERE r.kind = ? ORDER BY s.unit, s.id, r.rowid""", (key, kind))]

    def current_fields(self, kind: str, keys: tuple[str, ...]) -> list[dict]:
        """Only `keys` of each current record of one kind, in `current_records`' order: read inside SQLite (a
        third of the cost of decoding whole records, for a document that counts a roster)."""
        columns = ", ".join(f"json_extract(r.data, '$.' || ?) AS k{i}" for i in range(len(keys)))
        return [dict(zip(keys, map(_bounded_value, r))) for r in self._json_query(
            f"""SELECT {columns} FROM records r JOIN current_submissions s ON s.id = r.submission_id
               WHERE r.kind = ? ORDER BY s.unit, s.id, r.rowid""", (*keys, kind))]

    def _json_query(self, sql: str, args: tuple = ()) -> list:
        """A query that reads inside stored records; a record SQLite cannot parse (NaN or Infinity, as an older
        version could store) is rewritten once as `loads_record` reads it, and the query asked again."""
        try:
            return self.conn.execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:
            if "JSON" not in str(exc):
                raise
        bad = self.conn.execute("SELECT rowid, data FROM records WHERE NOT json_valid(data)").fetchall()
        fixed = [(json.dumps(loads_record(d), ensure_ascii=False), rid) for rid, d in bad]
        if self.conn.in_transaction:
            self.conn.executemany("UPDATE records SET data = ? WHERE rowid = ?", fixed)
        else:
            with self.transaction():
                self.conn.executemany("UPDATE records SET data = ? WHERE rowid = ?", fixed)
        return self.conn.execute(sql, args).fetchall()

    def current_people(self, kind: str) -> list[tuple]:
        """(unit, 学号, 姓名, 职务) of each current record of one kind, in `current_records`' order (read inside
        SQLite: the progress page counts the presidium and scrubs names without decoding whole records)."""
        return [tuple(r) for r in self.conn.execute(
            """SELECT s.unit, json_extract(r.data, '$.student_id'), json_extract(r.data, '$.name'),
                      json_extract(r.data, '$.post')
               FROM records r JOIN current_submissions s ON s.id = r.submission_id
               WHERE r.kind = ? ORDER BY s.unit, s.id, r.rowid""", (kind,))]

    def submission_issues(self, submission_id: int) -> list:
        rows = self.conn.execute("SELECT * FROM issues WHERE submission_id = ? ORDER BY rowid", (submission_id,)).fetchall()
        return [Issue(code=r["code"], severity=r["severity"], message=r["message"], file=None, sheet=r["sheet"],
                      row=r["row"], column=r["column_label"], cell=r["cell"], value=r["value"], item=r["item"])
                for r in rows]

    def issues_by_submission(self) -> dict[int, list]:
        """`submission_issues` of every submission at once: {submission id: [Issue]} (those with issues only)."""
        out: dict[int, list] = {}
        for r in self.conn.execute("SELECT * FROM issues ORDER BY rowid"):
            out.setdefault(r["submission_id"], []).append(Issue(
                code=r["code"], severity=r["severity"], message=r["message"], file=None, sheet=r["sheet"], row=r["row"],
                column=r["column_label"], cell=r["cell"], value=r["value"], item=r["item"]))
        return out

    def stored_path(self, submission_id: int) -> Path | None:
        row = self.conn.execute("SELECT stored_path FROM submissions WHERE id = ?", (submission_id,)).fetchone()
        return Path(row["stored_path"]) if row and row["stored_path"] else None

    def counts(self) -> dict[str, int]:
        rows = self.conn.execute(
            """SELECT s.kind, count(r.rowid) AS n FROM current_submissions s
               LEFT JOIN records r ON r.submission_id = s.id GROUP BY s.kind"""
        ).fetchall()
        return {r["kind"]: r["n"] for r in rows}

    def institution_parts(self) -> dict[str, int]:
        """The current 机构信息 records per table (`departments`, `council` …): what the terminal counts in words."""
        rows = self._json_query(
            """SELECT json_extract(r.data, '$._table') AS t, count(*) AS n FROM current_submissions s
               JOIN records r ON r.submission_id = s.id WHERE s.kind = 'institution' GROUP BY t ORDER BY min(r.rowid)""")
        return {r["t"]: r["n"] for r in rows if r["t"]}

    def rejected_already(self, sha256: str, rel_path: str) -> bool:
        """The same bytes at the same place were rejected before (e.g. by a run killed before its release)."""
        return self.conn.execute("SELECT 1 FROM submissions WHERE sha256 = ? AND rel_path = ? AND status = 'rejected'",
                                 (sha256, rel_path)).fetchone() is not None

    def supplied_documents(self) -> list[tuple[dict, str | None]]:
        """The current supplied Word documents: (their record, the path of the kept copy)."""
        rows = self.conn.execute(
            """SELECT s.stored_path, r.data FROM current_submissions s JOIN records r ON r.submission_id = s.id
               WHERE s.kind = 'document'""").fetchall()
        return [(loads_record(r["data"]), r["stored_path"]) for r in rows]

    def units_with_submissions(self, since: str | None = None) -> set[str]:
        """Units that sent anything (accepted or not), optionally since an ISO date."""
        sql = "SELECT DISTINCT unit FROM submissions WHERE unit IS NOT NULL AND unit != ''"
        args: tuple = ()
        if since is not None:
            sql += " AND received_at >= ?"
            args = (since,)
        return {r[0] for r in self.conn.execute(sql, args)}

    def released(self, sha256: str, rel_path: str) -> str | None:
        """When these bytes at this place last left the inbox (None: never, e.g. a run killed before release)."""
        row = self.conn.execute("SELECT max(released_at) FROM releases WHERE sha256 = ? AND rel_path = ?",
                                (sha256, rel_path)).fetchone()
        return row[0] if row else None

    def mark_released(self, sha256: str, rel_path: str, released_at: str) -> None:
        self.conn.execute("INSERT INTO releases (sha256, rel_path, released_at) VALUES (?, ?, ?)",
                          (sha256, rel_path, released_at))
        self.conn.execute("UPDATE arrivals SET released = 1 WHERE sha256 = ? AND rel_path = ?", (sha256, rel_path))

    def all_submissions(self) -> list[sqlite3.Row]:
        """Every submission (accepted, superseded or not, and rejected), newest first."""
        return self.conn.execute("SELECT * FROM submissions ORDER BY id DESC").fetchall()

    def submissions_since(self, since: str) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM submissions WHERE received_at >= ?", (since,)).fetchall()

    def state_digest(self) -> list:
        """What the master holds, in a few numbers: submissions are only ever added (the current ones follow from
        them), so their latest id and count say whether anything changed; and the supplied documents' copies,
        which the documents include, must still be there."""
        last, count = self.conn.execute("SELECT max(id), count(*) FROM submissions").fetchone()
        arrived = self.conn.execute("SELECT max(id) FROM arrivals").fetchone()[0]
        kept = [[p, Path(p).exists()] for (p,) in self.conn.execute(
            "SELECT stored_path FROM current_submissions WHERE kind = 'document' ORDER BY id") if p]
        return [last, count, arrived, kept]

    def current_for_key(self, supersede_key: str) -> sqlite3.Row | None:
        """The submission in force under a supersede key (None: nothing yet)."""
        return self.conn.execute("SELECT * FROM current_submissions WHERE supersede_key = ?",
                                 (supersede_key,)).fetchone()

    def submission(self, submission_id: int) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM submissions WHERE id = ?", (submission_id,)).fetchone()

    def is_current(self, submission_id: int) -> bool:
        return self.conn.execute("SELECT 1 FROM current WHERE submission_id = ?", (submission_id,)).fetchone() is not None

    def replaced_by(self, submission_id: int) -> sqlite3.Row | None:
        """The submission in force in place of this one (None: it is itself in force, or replaces nothing)."""
        return self.conn.execute(
            """SELECT t.* FROM submissions s JOIN current c ON c.supersede_key = s.supersede_key
               JOIN submissions t ON t.id = c.submission_id WHERE s.id = ? AND t.id != s.id""",
            (submission_id,)).fetchone()

    def arrival_pending(self, sha256: str, rel_path: str) -> bool:
        """An arrival of these bytes at this place is recorded and the file has not left the inbox since (a run
        killed before its release): the file still there is that arrival, not another one."""
        return self.conn.execute("SELECT 1 FROM arrivals WHERE sha256 = ? AND rel_path = ? AND released = 0",
                                 (sha256, rel_path)).fetchone() is not None

    def all_arrivals(self) -> list[sqlite3.Row]:
        """Every later arrival of bytes already accepted, newest first, with the first submission's details."""
        return self.conn.execute(
            """SELECT a.*, s.kind, s.received_at AS first_received_at, s.rows FROM arrivals a
               JOIN submissions s ON s.id = a.submission_id ORDER BY a.id DESC""").fetchall()

    # --- 汇总.xlsx's rendered rows (derived: outputs.workbook) ---------------------------------------------
    def sheet_blocks(self, sheet: str, version: str) -> dict[int, tuple[list, str, int]]:
        """{submission id: (its widest value per column, the layout its rows were rendered for, rows)} of the
        blocks kept for `sheet` by this `version` of the renderer."""
        return {r["submission_id"]: (json.loads(r["widths"]), r["layout"], r["rows"]) for r in self.conn.execute(
            "SELECT submission_id, widths, layout, rows FROM sheet_rows WHERE sheet = ? AND version = ?",
            (sheet, version))}

    def sheet_block_xml(self, submission_id: int, sheet: str) -> bytes:
        row = self.conn.execute("SELECT xml FROM sheet_rows WHERE submission_id = ? AND sheet = ?",
                                (submission_id, sheet)).fetchone()
        return zlib.decompress(row["xml"]) if row else b""

    def keep_sheet_block(self, submission_id: int, sheet: str, version: str, widths: list, layout: str, rows: int,
                         xml: bytes, compressed: bool = False) -> None:
        """Keep a block's rows (`compressed`: already zlib-compressed, as a reader process renders them)."""
        self.conn.execute("INSERT OR REPLACE INTO sheet_rows VALUES (?, ?, ?, ?, ?, ?, ?)",
                          (submission_id, sheet, version, json.dumps(widths), layout, rows,
                           xml if compressed else zlib.compress(xml, 1)))

    def drop_sheet_blocks(self, sheet: str, keep: set[int]) -> None:
        """Forget `sheet`'s blocks of every submission not in `keep` (superseded, or another version's)."""
        gone = [(sid, sheet) for (sid,) in self.conn.execute(
            "SELECT submission_id FROM sheet_rows WHERE sheet = ?", (sheet,)) if sid not in keep]
        self.conn.executemany("DELETE FROM sheet_rows WHERE submission_id = ? AND sheet = ?", gone)

    # --- the roster schema's issues per submission (derived: rules.view.KeptChecks) -------------------------
    def roster_checks(self, stamp: str) -> dict[int, list[tuple[tuple, Issue]]]:
        """{submission id: [((sheet, row), issue)]} of the checks made under `stamp`."""
        return {r["submission_id"]: [(tuple(key), Issue.from_dict(d)) for key, d in json.loads(r["issues"])]
                for r in self.conn.execute("SELECT submission_id, issues FROM roster_checks WHERE stamp = ?", (stamp,))}

    def add_roster_checks(self, stamp: str, checks: dict[int, list[tuple[tuple, Issue]]]) -> None:
        """These submissions' checks, made under `stamp` (at commit, or by consolidation)."""
        self.conn.executemany("INSERT OR REPLACE INTO roster_checks VALUES (?, ?, ?)", [
            (sid, stamp, json.dumps([(list(key), i.to_dict(with_file=True)) for key, i in issues], ensure_ascii=False))
            for sid, issues in checks.items()])

    def keep_roster_checks(self, stamp: str, fresh: dict[int, list[tuple[tuple, Issue]]], live: set[int]) -> None:
        """Keep the `fresh` submissions' checks under `stamp`; forget those of another stamp and of submissions
        no longer in `live` (superseded)."""
        self.conn.execute("DELETE FROM roster_checks WHERE stamp <> ?", (stamp,))
        gone = [(sid,) for (sid,) in self.conn.execute("SELECT submission_id FROM roster_checks") if sid not in live]
        self.conn.executemany("DELETE FROM roster_checks WHERE submission_id = ?", gone)
        self.add_roster_checks(stamp, {sid: issues for sid, issues in fresh.items() if sid in live})

    # --- writes (inside `transaction`) ---------------------------------------------------------
    def start_run(self, started_at: str, as_of: str) -> int:
        return self.conn.execute("INSERT INTO runs (started_at, as_of) VALUES (?, ?)", (started_at, as_of)).lastrowid

    def finish_run(self, run_id: int, summary: dict) -> None:
        self.conn.execute("UPDATE runs SET summary = ? WHERE id = ?", (json.dumps(summary, ensure_ascii=False), run_id))

    def add_submission(self, run_id: int, sub: Submission) -> int:
        sid = self.conn.execute(
            """INSERT INTO submissions (run_id, sha256, original_name, rel_path, unit, kind, supersede_key, status,
                                        received_at, stored_path, rows)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (run_id, sub.sha256, sub.original_name, sub.rel_path, sub.unit, sub.kind, sub.supersede_key, sub.status,
             sub.received_at, sub.stored_path, len(sub.records)),
        ).lastrowid
        if sub.status == "accepted":
            self.conn.executemany(
                "INSERT INTO records (submission_id, kind, sheet, row, data) VALUES (?, ?, ?, ?, ?)",
                [(sid, sub.kind, r.get("_sheet"), r.get("_row"), text) for r, text in
                 zip(sub.records, sub.stored if sub.stored is not None and len(sub.stored) == len(sub.records)
                     else map(record_json, sub.records))],
            )
        self.conn.executemany(
            """INSERT INTO issues (submission_id, code, severity, sheet, row, column_label, cell, value, message, item)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(sid, i.code, i.severity, i.sheet, i.row, i.column, i.cell, i.value, i.message, i.item) for i in sub.issues],
        )
        if sub.status == "accepted" and sub.supersede_key is not None:
            self._make_current(sub.supersede_key, sid)
        return sid

    def add_arrival(self, run_id: int, submission_id: int, sha256: str, original_name: str, rel_path: str,
                    unit: str | None, received_at: str) -> bool:
        """Bytes already accepted arrived again. If they had been superseded meanwhile, they are in force again
        (the latest arrival wins); returns whether that happened."""
        row = self.conn.execute("SELECT supersede_key FROM submissions WHERE id = ? AND status = 'accepted'",
                                (submission_id,)).fetchone()
        reinstate = row is not None and row[0] is not None and not self.is_current(submission_id)
        self.conn.execute(
            """INSERT INTO arrivals (run_id, submission_id, sha256, original_name, rel_path, unit, received_at,
                                     reinstated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (run_id, submission_id, sha256, original_name, rel_path, unit, received_at, int(reinstate)))
        if reinstate:
            self._make_current(row[0], submission_id)
        return reinstate

    def _make_current(self, supersede_key: str, submission_id: int) -> None:
        self.conn.execute("INSERT OR REPLACE INTO current (supersede_key, submission_id) VALUES (?, ?)",
                          (supersede_key, submission_id))


def public_record(rec: dict) -> dict:
    """What is kept of a record: its values and where they came from."""
    return {k: _bounded_value(v) for k, v in rec.items()
            if not k.startswith("_") or k in ("_sheet", "_row", "_cols", "_cells", "_table")}


# ---- the provincial review (`sureform review`): its own database in the review's state folder ----------------
REVIEW_DB = "review.sqlite"
REVIEW_SCHEMA = """
CREATE TABLE IF NOT EXISTS review_rounds (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,       -- the academic year reviewed, e.g. 2021—2022学年
    first_as_of TEXT NOT NULL,
    last_as_of TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS review_declarations (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES review_rounds(id),
    college TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    files TEXT NOT NULL,             -- JSON list, inbox-relative
    outcome TEXT NOT NULL,
    items TEXT NOT NULL,             -- JSON: [{key, what, declared, actual}]
    reviewed_at TEXT NOT NULL,
    superseded_by INTEGER REFERENCES review_declarations(id)
);
CREATE INDEX IF NOT EXISTS review_declarations_college ON review_declarations(college, id);
"""


@dataclass
class ReviewRecord:
    college: str
    sha256: str
    files: list
    outcome: str
    items: list  # [{key, what, declared, actual}]


class ReviewStore(_Database):
    """Each round of the review and every declaration it read; a college's newer declaration supersedes its
    older one in the same round (kept, never deleted), and the one before it (this round or an earlier one) is
    what the changes are measured against."""

    schema = REVIEW_SCHEMA

    def previous(self, college: str, sha256: str) -> sqlite3.Row | None:
        """The college's latest declaration with other bytes than `sha256` (the one a new reading is compared to)."""
        return self.conn.execute("SELECT d.*, r.name AS round FROM review_declarations d JOIN review_rounds r "
                                 "ON r.id = d.round_id WHERE d.college = ? AND d.sha256 != ? ORDER BY d.id DESC "
                                 "LIMIT 1", (college, sha256)).fetchone()

    def record_round(self, name: str, as_of: str, records: list[ReviewRecord], reviewed_at: str) -> dict[str, dict]:
        """Record the round in one transaction; per college: {"previous": (round, outcome, items) or None,
        "superseded": bool} — what its declaration replaced."""
        out: dict[str, dict] = {}
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            row = self.conn.execute("SELECT id FROM review_rounds WHERE name = ?", (name,)).fetchone()
            if row is None:
                round_id = self.conn.execute("INSERT INTO review_rounds (name, first_as_of, last_as_of) "
                                             "VALUES (?, ?, ?)", (name, as_of, as_of)).lastrowid
            else:
                round_id = row["id"]
                self.conn.execute("UPDATE review_rounds SET last_as_of = ? WHERE id = ?", (as_of, round_id))
            for rec in records:
                prev = self.previous(rec.college, rec.sha256)
                same = self.conn.execute("SELECT id FROM review_declarations WHERE round_id = ? AND college = ? AND "
                                         "sha256 = ? AND superseded_by IS NULL", (round_id, rec.college,
                                                                                 rec.sha256)).fetchone()
                values = (json.dumps(rec.files, ensure_ascii=False), rec.outcome,
                          json.dumps(rec.items, ensure_ascii=False, default=json_default), reviewed_at)
                if same is not None:
                    self.conn.execute("UPDATE review_declarations SET files = ?, outcome = ?, items = ?, "
                                      "reviewed_at = ? WHERE id = ?", (*values, same["id"]))
                    new_id = same["id"]
                else:
                    new_id = self.conn.execute(
                        "INSERT INTO review_declarations (round_id, college, sha256, files, outcome, items, "
                        "reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?)", (round_id, rec.college, rec.sha256, *values)
                    ).lastrowid
                old = self.conn.execute("UPDATE review_declarations SET superseded_by = ? WHERE round_id = ? AND "
                                        "college = ? AND id != ? AND superseded_by IS NULL",
                                        (new_id, round_id, rec.college, new_id)).rowcount
                out[rec.college] = {"previous": None if prev is None else
                                    (prev["round"], prev["outcome"], json.loads(prev["items"])),
                                    "superseded": bool(old)}
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return out

    def rounds(self) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM review_rounds ORDER BY id").fetchall()

    def declarations(self, college: str) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT d.*, r.name AS round FROM review_declarations d JOIN review_rounds r ON "
                                 "r.id = d.round_id WHERE d.college = ? ORDER BY d.id", (college,)).fetchall()
