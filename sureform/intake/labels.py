"""Normalising header labels and free text typed by people: full-width forms, inner spaces, bracketed notes."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_BRACKETS = re.compile(r"[（(【\[<《].*?[）)】\]>》]")
_SPACES = re.compile(r"\s+")
_DECOR = re.compile(r"[*＊:：★☆※]")


def clean_text(value) -> str:
    """NFKC (full-width → half-width), strip; inner runs of spaces collapse to one."""
    if value is None:
        return ""
    s = unicodedata.normalize("NFKC", str(value))
    return _SPACES.sub(" ", s).strip()


def compact(value) -> str:
    """clean_text without any whitespace: `学　号` → `学号`."""
    return _SPACES.sub("", clean_text(value))


def label_key(value) -> str:
    """The comparable form of a header label: no spaces, no bracketed notes, no decorations."""
    if isinstance(value, str):
        return _label_key(value)
    return _label_key(str(value)) if value is not None else ""


@lru_cache(maxsize=8192)
def _label_key(value: str) -> str:
    s = compact(value)
    s = _BRACKETS.sub("", s)
    s = _DECOR.sub("", s)
    return s.lower()
