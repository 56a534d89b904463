"""The review flow under a real (temporary) Prefect server gives the same result as the in-process review."""
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples" / "review"))
import make_review_samples as samples  # noqa: E402

pytestmark = pytest.mark.slow


def test_review_flow_run(tmp_path, prefect_harness):
    from flows.review import review_flow

    inbox = tmp_path / "inbox"
    answers = {str(i): "是" for i in range(1, 12)}
    samples.filled_2022(inbox / "河东职业学院" / "表.docx", "河东职业学院", "学生会", answers,
                        {"3": "实有66人", "4": "实有5人", "5": "实有6个", "11": "召开日期为：2021年11月20日"})
    report = review_flow(str(inbox), str(tmp_path / "outbox"), str(tmp_path / "state"), date(2021, 12, 10))
    assert [(c["name"], c["outcome"]) for c in report["colleges"]] == [("河东职业学院", "需整改")]
    assert (tmp_path / "outbox" / "复评汇总.xlsx").is_file()
    assert (tmp_path / "outbox" / "复评意见" / "河东职业学院.docx").is_file()
