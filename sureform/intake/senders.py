"""A sender is a place: who sent a file is where it was put, and a place may send only what is its own.

- `inbox/<系>/` is that unit's (its name folded by `atomic.fold_unit_name`, so a look-alike folder is the real unit,
  or refused when no such unit is known); the top level and `inbox/校团委/` are the league office's (`OFFICE`).
- School-wide kinds (机构信息 with its delegate and nomination lists, the charter and methods .docx, score sheets:
  every kind whose `needs_unit` is False) come only from the league office's places.
- A file never takes the place of another unit's submission (`supersede_problem`): a unit replaces only its own
  (or what the league office sent on its behalf); the league office's top-level roster never replaces a unit's own;
  bytes another unit sent are not this unit's (`duplicate_problem`).
- Where the share maps accounts to file owners, `[units.<系>] senders` (uids) must own the unit's files; the
  league office's senders (`[units.校团委]`) may put files anywhere.

Plain functions over `FileRead`s and rows of the master (read by the caller through `Store`): no SQL here.
"""
from __future__ import annotations

import os
from pathlib import PurePosixPath

from sureform.atomic import fold_unit_name
from sureform.intake.readers.base import FileRead
from sureform.issues import Issue, Location, make_issue

OFFICE = "校团委"
# a unit's own roster is replaced only from its own folder, never by the league office's top-level one (a 院系
# union's roster and a candidate form the league office may replace)
UNIT_OWN_KINDS = frozenset({"roster"})


def place_of(rel: str) -> str:
    """Whose place a path of the inbox is: the unit of its first folder (folded), else the league office."""
    parts = PurePosixPath(rel).parts
    if len(parts) <= 1:
        return OFFICE
    folder = fold_unit_name(parts[0]) or parts[0]
    return OFFICE if folder == OFFICE else folder


def folder_of(rel: str) -> str | None:
    """The first folder of a path as it is written in the inbox (None at the top level)."""
    parts = PurePosixPath(rel).parts
    return parts[0] if len(parts) > 1 else None


def unit_of_place(rel: str) -> str | None:
    """The unit a file's folder makes it (folded), None for the league office's places."""
    place = place_of(rel)
    return None if place == OFFICE else place


def clean_names(names) -> set[str]:
    """Of some unit names, those written as they are compared (no look-alike, no invisible character)."""
    return {n for n in names if n and fold_unit_name(n) == n and n != OFFICE}


def settle_folder(fr: FileRead, known: set[str]) -> None:
    """A folder named with look-alike or invisible characters is the unit it folds to when that unit is known
    (a hint to the sender), else the file is refused; `fr.unit` is the folded name."""
    folder = folder_of(fr.rel)
    if folder is None or fold_unit_name(folder) == folder or place_of(fr.rel) == OFFICE:
        return
    folded = fold_unit_name(folder)
    if folded in known:
        fr.issues.append(make_issue("unit-name-folded", Location(fr.rel), folder, unit=folded))
    else:
        fr.issues.append(make_issue("unit-lookalike-unknown", Location(fr.rel), folder, folded=folded))


def owner_problem(fr: FileRead, senders: dict[str, tuple[int, ...]]) -> Issue | None:
    """With `[units.<系>] senders` set for the file's place (or for the league office), the file's owner must be
    one of them (the league office's may put files anywhere); None when it is, or nothing is set."""
    place = place_of(fr.rel)
    office = set(senders.get(OFFICE, ()))
    allowed = set(senders.get(place, ())) | office
    if place not in senders and not (place == OFFICE and office):
        return None
    try:
        owner = os.stat(fr.path, follow_symlinks=False).st_uid
    except OSError:
        return None  # gone: the run finds that out by itself
    if owner in allowed:
        return None
    return make_issue("file-owner-not-sender", Location(fr.rel), owner=_user_name(owner), unit=place)


def _user_name(uid: int) -> str:
    import pwd

    try:
        return f"{pwd.getpwuid(uid).pw_name}（{uid}）"
    except KeyError:
        return str(uid)


def kind_problem(fr: FileRead, kind_label: str, school_wide: bool) -> Issue | None:
    """A school-wide kind from a unit's folder."""
    if school_wide and place_of(fr.rel) != OFFICE:
        return make_issue("sender-not-office", Location(fr.rel), kind=kind_label)
    return None


def duplicate_problem(fr: FileRead, first_rel: str, first_unit: str | None, first_current: bool = True,
                      kind_label: str = "") -> Issue | None:
    """Bytes already accepted from another place: never this unit's (and never reinstated by it). The league
    office may send a unit's bytes again, but not to put back an old roster of the unit in place of its own."""
    place, first = place_of(fr.rel), place_of(first_rel)
    if place == first:
        return None  # its own re-send
    if place == OFFICE:
        if fr.kind in UNIT_OWN_KINDS and not first_current:
            return make_issue("office-not-replacing-own", Location(fr.rel), unit=first_unit or "", label=kind_label)
        return None
    if first == OFFICE and first_unit == place:
        return None  # what the league office sent on this unit's behalf, sent again by the unit itself
    return make_issue("file-of-another-unit", Location(fr.rel))


def supersede_problem(fr: FileRead, kind_label: str, current: tuple[str, str | None] | None) -> Issue | None:
    """Whether `fr` (accepted) may take the place of the submission in force under its key, `current` =
    (its path in the inbox, its unit); None when it may."""
    if current is None:
        return None
    current_rel, current_unit = current
    place, held_by = place_of(fr.rel), place_of(current_rel)
    if place == held_by:
        return None
    if place == OFFICE:
        if fr.kind in UNIT_OWN_KINDS:  # a unit's own roster is replaced only from its own folder
            return make_issue("office-not-replacing-own", Location(fr.rel), unit=current_unit or "", label=kind_label)
        return None
    if place == current_unit:
        return None  # the unit's own, in place of what the league office sent for it
    return make_issue("supersede-not-own", Location(fr.rel), label=kind_label)
