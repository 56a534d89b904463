"""The sample data's run, pinned: the JSON report (files, issues, items, notes, evidence, section 四) and the
text of both Word documents must stay exactly as recorded in tests/golden/. A refactoring changes neither.

After an intended change of output, regenerate the golden copies and review their diff:
    .venv/bin/python tests/test_golden_sample.py
"""
from __future__ import annotations

import json
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples" / "inbox"
GOLDEN = HERE / "golden"
AS_OF = date(2020, 11, 24)


def sample_run(root: Path) -> tuple[dict, dict[str, list[str]]]:
    from sureform.pipeline import RunOptions, run_pipeline

    shutil.copytree(EXAMPLES, root / "inbox")
    report = run_pipeline(RunOptions(root / "inbox", root / "outbox", root / "state", AS_OF, "2020", 0))
    report = json.loads(json.dumps(report, ensure_ascii=False, default=str))
    report.pop("outputs", None)  # paths of this run's folders
    report["files"] = sorted(report["files"], key=lambda f: f["path"])
    texts = {name: docx_text(root / "outbox" / name) for name in ("备案表.docx", "改革情况公开.docx")}
    return report, texts


def docx_text(path: Path) -> list[str]:
    """Every paragraph and table cell of the body, composed parts included, in document order."""
    import docx

    doc = docx.Document(str(path))
    out: list[str] = []
    body = doc.element.body
    for el in body.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in el.iter() if t.tag.rsplit("}", 1)[-1] == "t")
            if text.strip():
                out.append(text)
    return out


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_run(tmp_path_factory.mktemp("golden"))


def test_sample_report_is_unchanged(sample):
    report, _ = sample
    golden = json.loads((GOLDEN / "sample-report.json").read_text(encoding="utf-8"))
    assert report["items"] == golden["items"]
    assert report["disclosure"] == golden["disclosure"]
    assert report["files"] == golden["files"]
    assert report == golden


@pytest.mark.parametrize("name", ["备案表.docx", "改革情况公开.docx"])
def test_sample_documents_text_is_unchanged(sample, name):
    _, texts = sample
    golden = json.loads((GOLDEN / "sample-documents.json").read_text(encoding="utf-8"))
    assert texts[name] == golden[name]


if __name__ == "__main__":
    import tempfile

    sys.path.insert(0, str(HERE.parent))
    with tempfile.TemporaryDirectory() as tmp:
        report, texts = sample_run(Path(tmp))
    GOLDEN.mkdir(exist_ok=True)
    (GOLDEN / "sample-report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (GOLDEN / "sample-documents.json").write_text(json.dumps(texts, ensure_ascii=False, indent=1) + "\n",
                                                  encoding="utf-8")
    print("written", GOLDEN)
