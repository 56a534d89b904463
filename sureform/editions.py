"""The rule catalogue: one TOML file per edition of the filing form, read as data."""
from __future__ import annotations

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
    group: str | None = None  # a heading shared by several items ("3. 机构和人员规模")
    mark: str = ""  # ★ (core), ▲ (observation) or ""
    rule: str | None = None  # the rule kind deciding it (sureform.verdicts.library.RULE_KINDS)
    params: dict = field(default_factory=dict)  # that kind's parameters, from the edition file
    note: str | None = None  # the 备注 pattern of a decided verdict, e.g. "实有人 {n}"

    @property
    def actual_format(self) -> str | None:  # the documents' name for the 备注 pattern
        return self.note


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

    def item(self, item_id: str) -> CatalogueItem:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    @property
    def posts(self) -> list[str]:
        return list(self.vocabulary["posts"])

    @property
    def political_status(self) -> list[str]:
        return list(self.vocabulary["political_status"])


def edition_path(edition: str) -> Path:
    """A built-in edition by name ("2020"), or an edition file by its path ("editions/本校2026.toml")."""
    if edition.endswith(".toml"):
        return Path(edition)
    return EDITIONS_DIR / f"{edition}.toml"


def available_editions() -> list[str]:
    return sorted(p.stem for p in EDITIONS_DIR.glob("*.toml"))


@lru_cache(maxsize=8)
def load_catalogue(edition: str = DEFAULT_EDITION) -> Catalogue:
    path = edition_path(edition)
    if not path.exists():
        raise ValueError(f"unknown rule edition {edition!r}; available: {', '.join(available_editions())}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"edition file {path} cannot be read: {exc}") from None
    try:
        items = tuple(
            CatalogueItem(id=str(it["id"]), text=it["text"], group=it.get("group"), mark=str(it.get("mark") or ""),
                          rule=it.get("rule"), params=dict(it.get("params") or {}), note=it.get("note"))
            for it in raw["items"]
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"edition {edition!r}: every [[items]] entry needs an id and a text ({exc})") from None
    return Catalogue(
        edition=str(raw["edition"]),
        title=raw["title"],
        limits=dict(raw["limits"]),
        vocabulary=dict(raw["vocabulary"]),
        political_status_aliases=dict(raw.get("political_status_aliases", {})),
        scores=dict(raw.get("scores", {})),
        items=items,
        raw=raw,
    )
