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
    id: str
    text: str
    group: str | None = None
    actual_format: str | None = None


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
    return EDITIONS_DIR / f"{edition}.toml"


def available_editions() -> list[str]:
    return sorted(p.stem for p in EDITIONS_DIR.glob("*.toml"))


@lru_cache(maxsize=8)
def load_catalogue(edition: str = DEFAULT_EDITION) -> Catalogue:
    path = edition_path(edition)
    if not path.exists():
        raise ValueError(f"unknown rule edition {edition!r}; available: {', '.join(available_editions())}")
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    items = tuple(
        CatalogueItem(id=str(it["id"]), text=it["text"], group=it.get("group"), actual_format=it.get("actual_format"))
        for it in raw["items"]
    )
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
