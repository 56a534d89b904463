"""Editions of the filing form, read as data: one TOML file each (`schemas/editions/*.toml`, or any file).

An edition file gives the form's title, its tables (校级, and for later editions 二级: one per 院系 union),
their column names and verdict labels (达标/未达标 or 是/否), the header fields, the ★/▲ legend, and its
numbered items: official text, mark, the rule kind deciding it with its parameters, and the 备注 pattern.
`base = "2020"` takes the shared tables (limits, vocabulary, scores, aliases…) from another edition; items
are never inherited. `gaps` lists what the edition does not know (a built-in edition never invents an item).
Which rule kinds exist is not known here: `sureform.rules.library.load_edition` checks an edition against them.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

EDITIONS_DIR = Path(__file__).resolve().parent.parent / "schemas" / "editions"
DEFAULT_EDITION = "2020"


@dataclass(frozen=True)
class CatalogueItem:
    """One numbered item of the form, as its edition file composes it."""

    id: str  # as printed: "1", "3a", "12"
    text: str  # the official text
    table: str = "校级"  # the table it belongs to (EditionTable.id)
    group: str | None = None  # a heading shared by several items ("3. 机构和人员规模")
    mark: str = ""  # ★ (core), ▲ (observation) or ""
    rule: str | None = None  # the rule kind deciding it (sureform.verdicts.library.RULE_KINDS)
    params: dict = field(default_factory=dict)  # that kind's parameters, from the edition file
    note: str | None = None  # the 备注 pattern of a decided verdict, e.g. "实有人 {n}"

    @property
    def actual_format(self) -> str | None:  # the documents' name for the 备注 pattern
        return self.note


@dataclass(frozen=True)
class EditionTable:
    id: str  # "校级" | "二级"
    title: str  # the heading above it, e.g. "校级学生会组织情况"
    columns: tuple[str, ...]  # the three column names: 项目/指标 · 验收结论/评估结论/结论 · 备注
    per_unit: bool = False  # one table per 二级 organisation (each 院系's own union)


@dataclass(frozen=True)
class HeaderField:
    key: str  # "units" (二级学生会组织数量, counted from the data), "reviewed", "link" (facts)
    label: str  # as printed


@dataclass(frozen=True)
class Catalogue:
    edition: str
    title: str
    limits: dict
    vocabulary: dict
    political_status_aliases: dict
    scores: dict
    items: tuple[CatalogueItem, ...]
    raw: dict = field(repr=False, default_factory=dict)
    tables: tuple[EditionTable, ...] = ()
    header_fields: tuple[HeaderField, ...] = ()
    verdict_labels: tuple[str, str] = ("达标", "未达标")
    legend: str = ""  # printed under the heading (the ★/▲ legend)
    observation_binding: bool = True  # False: ▲ items are shown but never count as failures
    gaps: tuple[str, ...] = ()  # what this edition does not know (items not published anywhere)

    @property
    def missing(self) -> list[str]:
        """What a form printed from this edition lacks, in a few words each (its `gaps` without their notes on
        sources, and every per-unit table without items): while any remains, the documents are drafts."""
        out = [_gap_words(g) for g in self.gaps]
        for t in self.tables:
            if t.per_unit and not self.items_of(t.id) and not any(t.title and t.title[:3] in g for g in out):
                out.append(f"{t.title or t.id}的项目")
        return out

    def item(self, item_id: str, table: str | None = None) -> CatalogueItem:
        for it in self.items:
            if it.id == item_id and (table is None or it.table == table):
                return it
        raise KeyError(item_id)

    def items_of(self, table: str) -> tuple[CatalogueItem, ...]:
        return tuple(it for it in self.items if it.table == table)

    def table(self, table_id: str) -> EditionTable:
        return next(t for t in self.tables if t.id == table_id)

    @property
    def posts(self) -> list[str]:
        return list(self.vocabulary["posts"])

    @property
    def political_status(self) -> list[str]:
        return list(self.vocabulary["political_status"])


_SOURCE_NOTE = re.compile(r"的?(?:项目)?原文未见公开.*$|未见公开.*$|，本版本不含.*$")


def _gap_words(gap: str) -> str:
    """`（二）…自评表的项目原文未见公开` → `（二）…自评表的项目`: what is missing, without where it was looked for."""
    words = _SOURCE_NOTE.sub("", gap).strip("，。； ")
    if not words:
        return gap
    return words if words.endswith("项目") or "“▲”" in words else words + "的项目"


def incomplete_warning(cat: Catalogue) -> str | None:
    """The warning a run with an incomplete edition gives before it starts and in its report; None when the
    edition lacks nothing."""
    if not cat.missing:
        return None
    name = f"本校{cat.edition}" if cat.edition[:1].isdigit() else f"{cat.edition}-完整"
    return (f"本版本（{cat.edition}）缺少：{'；'.join(cat.missing)}。请先导入省级团委下发的空白表："
            f"sureform editions import 空白表.docx --name {name}，再用 --edition {name} 运行。"
            f"在此之前生成的备案表和公开文档标为“草稿”。")


LOCAL_DIR = "editions"  # local editions (imported from a blank form): editions/NAME.toml beside the settings file
_READ_FROM: dict[str, Path] = {}  # the name of an edition read from a file → that file (documents look up by name)


def edition_path(edition: str, local: Path | None = None) -> Path:
    """A built-in edition by name ("2020"), a local one (`editions/NAME.toml` in the folder `local`), or an
    edition file by its path ("editions/本校2026.toml"); a name already read from a file is that file."""
    if edition.endswith(".toml"):
        return Path(edition)
    builtin = EDITIONS_DIR / f"{edition}.toml"
    if builtin.exists():
        return builtin
    if local is not None and (Path(local) / LOCAL_DIR / f"{edition}.toml").is_file():
        return Path(local) / LOCAL_DIR / f"{edition}.toml"
    return _READ_FROM.get(edition, builtin)


def available_editions() -> list[str]:
    return sorted(p.stem for p in EDITIONS_DIR.glob("*.toml"))


def local_editions(local: Path) -> dict[str, Path]:
    """The local editions in the folder `local` (the settings file's): name → editions/NAME.toml."""
    folder = Path(local) / LOCAL_DIR
    builtin = set(available_editions())
    return {p.stem: p for p in sorted(folder.glob("*.toml")) if p.stem not in builtin} if folder.is_dir() else {}


SHARED_TABLES = ("limits", "vocabulary", "political_status_aliases", "scores", "candidate_steps",
                 "institution_items")


def load_catalogue(edition: str = DEFAULT_EDITION) -> Catalogue:
    path = edition_path(edition)
    try:
        stamp = path.stat().st_mtime_ns  # a file edited (or imported again) is read again
    except OSError:
        stamp = None
    catalogue = _load_catalogue(edition, path, stamp)
    if edition.endswith(".toml") and not (EDITIONS_DIR / f"{catalogue.edition}.toml").exists():
        _READ_FROM[catalogue.edition] = path.resolve()
    return catalogue


@lru_cache(maxsize=32)
def _load_catalogue(edition: str, path: Path, stamp: int | None) -> Catalogue:
    raw = _read(edition)
    base = raw.get("base")
    if base:
        if str(base) == str(raw.get("edition")):
            raise ValueError(f"edition {edition!r} names itself as its base")
        inherited = _read(str(base))
        raw = {**{k: inherited[k] for k in SHARED_TABLES if k in inherited}, **raw}
    try:
        items = tuple(
            CatalogueItem(id=str(it["id"]), text=it["text"], table=str(it.get("table") or "校级"),
                          group=it.get("group"), mark=str(it.get("mark") or ""), rule=it.get("rule"),
                          params=dict(it.get("params") or {}), note=it.get("note"))
            for it in raw["items"]
        )
        columns = tuple(raw.get("columns", ("项目", "验收结论", "备注")))
        tables = tuple(EditionTable(str(t["id"]), str(t.get("title") or ""), tuple(t.get("columns") or columns),
                                    bool(t.get("per_unit", False))) for t in raw.get("tables", []))
        tables = tables or (EditionTable("校级", "", columns),)
        header = tuple(HeaderField(str(h["key"]), str(h["label"])) for h in raw.get("header_fields", []))
        labels = tuple(raw.get("verdict_labels", ("达标", "未达标")))
        if len(labels) != 2:
            raise ValueError("verdict_labels needs two labels")
        catalogue = Catalogue(
            edition=str(raw["edition"]),
            title=raw["title"],
            limits=dict(raw["limits"]),
            vocabulary=dict(raw["vocabulary"]),
            political_status_aliases=dict(raw.get("political_status_aliases", {})),
            scores=dict(raw.get("scores", {})),
            items=items,
            raw=raw,
            tables=tables,
            header_fields=header,
            verdict_labels=(str(labels[0]), str(labels[1])),
            legend=str(raw.get("legend") or ""),
            observation_binding=bool(raw.get("observation_binding", True)),
            gaps=tuple(str(g) for g in raw.get("gaps", [])),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"edition {edition!r}: {exc.__class__.__name__} {exc}") from None
    unknown = {it.table for it in items} - {t.id for t in tables}
    if unknown:
        raise ValueError(f"edition {edition!r}: items name tables that are not declared: {', '.join(sorted(unknown))}")
    return catalogue


def _read(edition: str) -> dict:
    path = edition_path(edition)
    if not path.exists():
        raise ValueError(f"unknown rule edition {edition!r}; available: {', '.join(available_editions())}")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"edition file {path} cannot be read: {exc}") from None
