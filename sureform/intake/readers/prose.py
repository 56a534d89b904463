"""Free text kept as typed (duties, meeting contents, opinions): only surrounding spaces are dropped.

`parse_text` folds full-width punctuation (，→ ,) for comparison; prose quoted back in the filing
must keep the sender's own characters.
"""
from __future__ import annotations

from sureform.intake.values import is_blank


def parse_prose(value):
    if is_blank(value):
        return None, None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).replace("\r\n", "\n").strip().strip("\u3000").strip()
    return (s or None), None
