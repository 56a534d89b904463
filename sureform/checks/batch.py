"""Batch validators by kind: each checks every fresh file of its kind in one call and appends issues."""
from __future__ import annotations

from datetime import date
from typing import Callable

from sureform.editions import Catalogue
from sureform.intake.readers.base import FileRead
from sureform.checks.roster import check_rosters
from sureform.checks.score import check_scores
from sureform.intake.readers.candidate import duplicated_candidates

Validator = Callable[[list[FileRead], date, Catalogue], None]


def validate_rosters(reads: list[FileRead], as_of: date, catalogue: Catalogue) -> None:
    """The roster schema over every row of the batch; each file's issues are also kept by the row's place
    ((sheet, row): `schema_checks`), so that consolidation does not check the same rows again on the same date."""
    pairs = [(fr, rec) for fr in reads for rec in fr.records]
    for fr in reads:
        fr.schema_checks = []
    for pos, issues in check_rosters([(fr.rel, rec) for fr, rec in pairs], as_of, catalogue).items():
        fr, rec = pairs[pos]
        fr.issues.extend(issues)
        fr.schema_checks.extend(((rec.get("_sheet"), rec.get("_row")), issue) for issue in issues)


def validate_scores(reads: list[FileRead], as_of: date, catalogue: Catalogue) -> None:
    pairs = [(fr, rec) for fr in reads for rec in fr.records]
    for pos, issues in check_scores([(fr.rel, rec) for fr, rec in pairs], catalogue).items():
        pairs[pos][0].issues.extend(issues)


def validate_candidates(reads: list[FileRead], as_of: date, catalogue: Catalogue) -> None:
    for fr in reads:
        fr.issues.extend(duplicated_candidates(fr.rel, fr.records))


VALIDATORS: dict[str, Validator] = {"roster": validate_rosters, "unit_roster": validate_rosters, "score": validate_scores,
                                    "candidate": validate_candidates}


def run_validators(reads: list[FileRead], as_of: date, catalogue: Catalogue) -> None:
    by_kind: dict[str, list[FileRead]] = {}
    for fr in reads:
        if fr.kind:
            by_kind.setdefault(fr.kind, []).append(fr)
    for kind, group in by_kind.items():
        validator = VALIDATORS.get(kind)
        if validator is None:
            continue
        before = {id(fr): len(fr.issues) for fr in group}
        validator(group, as_of, catalogue)
        for fr in group:
            _drop_repeats(fr, before[id(fr)])


def _drop_repeats(fr: FileRead, n_before: int) -> None:
    """A cell that already failed to parse is not reported again as empty by the schema."""
    bad = {(i.sheet, i.row, i.column) for i in fr.issues[:n_before] if i.severity == "error"}
    fresh = [i for i in fr.issues[n_before:] if not (i.code == "value-missing" and (i.sheet, i.row, i.column) in bad)]
    fr.issues[n_before:] = fresh
