"""`sureform editions import|list|show`: an edition read from the official blank form (.docx, built here with
python-docx), its rules recognised from the items' texts, and runs driven by it without any code change."""
from __future__ import annotations

import json
import shutil
import sys
from datetime import date
from pathlib import Path

import docx
import pytest

from conftest import person
from sureform.editions import available_editions, load_catalogue
from sureform.rules.form_import import edition_from_form, note_pattern, read_form, recognise
from sureform.rules.library import decide_item, load_edition

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "examples"))
import make_blank_forms  # noqa: E402

EXAMPLES = HERE.parent / "examples" / "inbox"
SAMPLE_AS_OF = date(2020, 11, 24)


def wide(monkeypatch):
    monkeypatch.setenv("COLUMNS", "220")  # rich wraps Chinese anywhere: keep each row on one line


def simple_form(path: Path, rows: list[tuple[str, str]], columns=("项目", "评估结论", "备注"), title="测试备案表",
                verdict="□是 □否") -> Path:
    """A one-table blank form: a heading, then the item rows (text, 备注 cell)."""
    doc = docx.Document()
    doc.add_paragraph(title)
    table = doc.add_table(rows=1 + len(rows), cols=3)
    for cell, text in zip(table.rows[0].cells, columns):
        cell.text = text
    for row, (text, note) in zip(table.rows[1:], rows):
        row.cells[0].text, row.cells[1].text, row.cells[2].text = text, verdict, note
    doc.save(str(path))
    return path


# ---- recognising rules from the text -----------------------------------------------------------------------
@pytest.mark.parametrize("edition", available_editions())
def test_every_item_of_the_builtin_editions_is_recognised_with_its_params(edition):
    from sureform.rules.form_import import _split_number

    for item in load_catalogue(edition).items:
        found = recognise(_split_number(item.text)[2])
        assert found is not None, (edition, item.table, item.id)
        rule, params = found
        params = {k: v for k, v in params.items() if not k.startswith("_")}
        assert (rule, params) == (item.rule, item.params), (edition, item.table, item.id)


def test_numbers_come_from_the_text():
    assert recognise("工作人员不超过35人。") == ("staff-at-most", {"limit": 35})
    assert recognise("工作人员不超过45人，学生人数较多、分校区较多的高校不超过70人。") == \
        ("staff-at-most", {"limit": 45, "large_school_limit": 70})
    assert recognise("校级学生会组织主席团成员不超过五人。") == ("presidium-at-most", {"limit": 5})
    assert recognise("工作部门不超过8个。") == ("departments-at-most", {"limit": 8})
    assert recognise("主席团候选人由团组织推荐，公示不少于7个工作日后报校党委确定。")[1] == {"publicity_working_days": 7}
    assert recognise("2021年3月以来召开了校级学生（研究生）代表大会。") == \
        ("congress-held-since", {"since": "2021-03-01"})
    rule, params = recognise("工作人员学习成绩综合排名在本专业前25%以内，且无课业不及格情况。")
    assert rule == "no-roster-findings" and params["_rank_percent"] == 25
    assert recognise("主席团由学生代表大会或全体学生大会选举产生。")[1]["bodies"][-2:] == ["全体学生大会", "全体研究生大会"]


def test_unrecognised_text_is_decided_by_hand():
    assert recognise("学生会组织建立了联系服务同学的长效机制。") is None


def test_note_patterns_of_the_blank_cells():
    assert note_pattern("实有人") == "实有人 {n}"
    assert note_pattern("实有个") == "实有个 {n}"
    assert note_pattern("实有N人") == "实有{n}人"
    assert note_pattern("实有 N 人") == "实有 {n} 人"
    assert note_pattern("实有　　人") == "实有{n}人"
    assert note_pattern("实有N") == "实有{n}"
    assert note_pattern("召开日期为：") == "召开日期为：{date}"
    assert note_pattern("") is None and note_pattern("说明") is None


# ---- reading blank forms -----------------------------------------------------------------------------------
def test_2022_blank_form_gives_the_builtin_2022_rules_marks_legend_and_tables(tmp_path):
    form = read_form(make_blank_forms.form_2022(tmp_path / "改革自评表-2022-空白.docx"))
    ed = edition_from_form(form, "自评2022")
    assert ed["title"] == "改革自评表" and ed["verdict_labels"] == ["是", "否"]
    assert ed["legend"].endswith("2021—2022学年暂不作硬性要求。") and ed["observation_binding"] is False
    assert [(t["id"], t["columns"], t.get("per_unit", False)) for t in ed["tables"]] == \
        [("校级", ["指标", "结论", "备注"], False), ("二级", ["指标", "结论", "备注"], True)]
    assert any("（二）二级学生会组织" in g for g in ed["gaps"])
    builtin = {it.id: it for it in load_catalogue("2020").items}  # rules are compared with the 2020 readings
    assert [it["id"] for it in ed["items"]] == [str(n) for n in range(1, 12)]
    assert [it["id"] for it in ed["items"] if it.get("mark") == "★"] == ["1", "11"]
    by_id = {it["id"]: it for it in ed["items"]}
    assert by_id["3"]["params"] == builtin["3a"].params and by_id["3"]["note"] == "实有{n}人"
    assert by_id["5"]["note"] == "实有{n}个"
    assert by_id["11"]["rule"] == "congress-on-schedule" and by_id["11"]["note"] == "召开日期为：{date}"
    assert all(it.get("rule") for it in ed["items"])


def test_2020_blank_form_keeps_the_group_rows_and_the_2020_notes(tmp_path):
    ed = edition_from_form(read_form(make_blank_forms.form_2020(tmp_path / "f.docx")), "f")
    builtin = load_catalogue("2020")
    assert [it["id"] for it in ed["items"]] == [it.id for it in builtin.items]
    for mine, theirs in zip(ed["items"], builtin.items):
        assert (mine.get("rule"), mine.get("params", {}), mine.get("note"), mine.get("group")) == \
            (theirs.rule, theirs.params, theirs.note, theirs.group), theirs.id
    assert ed["verdict_labels"] == ["达标", "未达标"] and ed["columns"] == ["项目", "验收结论", "备注"]


def test_unmerged_group_row_and_a_remark_row(tmp_path):
    path = simple_form(tmp_path / "f.docx", [
        ("1. 工作机构架构为“主席团+工作部门”模式。", ""),
        ("2. 机构和人员规模", ""),
        ("工作人员不超过30人。", "实有 N 人"),
        ("主席团成员不超过3人。", "实有 N 人"),
        ("★3. 开展了春、秋季学生会组织工作人员全员培训。", ""),
        ("问题不足（选填）", ""),
    ], columns=("项目", "符合标准情况（请填写是/否）", "备注"), title="二级学生会组织情况")
    ed = edition_from_form(read_form(path), "x")
    assert [(it["id"], it.get("group"), it.get("mark", "")) for it in ed["items"]] == \
        [("1", None, ""), ("2a", "2. 机构和人员规模", ""), ("2b", "2. 机构和人员规模", ""), ("3", None, "★")]
    assert ed["items"][1]["params"] == {"limit": 30} and ed["items"][1]["note"] == "实有 {n} 人"
    assert ed["items"][3]["rule"] == "all-staff-training"


# ---- imported editions drive runs --------------------------------------------------------------------------
def import_to(folder: Path, form: Path, name: str) -> Path:
    from sureform.outputs.edition_files import import_form

    dest, _ = import_form(form, folder, name)
    return dest


def sample_items(root: Path, edition: str) -> list[dict]:
    from sureform.pipeline import RunOptions, run_pipeline

    shutil.copytree(EXAMPLES, root / "inbox")
    report = run_pipeline(RunOptions(root / "inbox", root / "outbox", root / "state", SAMPLE_AS_OF, edition, 0))
    assert (root / "outbox" / "备案表.docx").exists() and (root / "outbox" / "改革情况公开.docx").exists()
    report = json.loads(json.dumps(report, ensure_ascii=False, default=str))
    return [{"id": it["id"], "verdict": it["verdict"], "actual": it["actual"], "note": it["note"],
             "codes": sorted(str(e.get("code")) for e in it["evidence"] if e.get("code"))} for it in report["items"]]


def test_imported_2020_form_decides_the_sample_exactly_as_the_builtin_2020(tmp_path):
    form = make_blank_forms.form_2020(tmp_path / "备案表-2020-空白.docx")
    dest = import_to(tmp_path, form, "导入2020")
    assert dest == tmp_path / "editions" / "导入2020.toml"
    imported = sample_items(tmp_path / "imported", str(dest))
    builtin = sample_items(tmp_path / "builtin", "2020")
    assert imported == builtin
    assert {it["verdict"] for it in builtin} >= {"达标", "未达标"}


def test_a_form_with_35_staff_decides_36_staff_as_no_and_an_unknown_item_by_hand(tmp_path, env):
    from sureform.pipeline import RunOptions, run_pipeline

    form = simple_form(tmp_path / "本校2026.docx", [("1. 工作人员不超过35人。", "实有N人"),
                                                   ("2. 学生会组织建立了联系服务同学的长效机制。", "")])
    dest = import_to(tmp_path, form, "本校2026")
    catalogue = load_edition(str(dest))
    assert catalogue.item("1").params == {"limit": 35} and catalogue.item("2").rule is None

    env.roster("石油工程系", [person(f"学生{i:02d}", f"20240101{i:02d}") for i in range(36)])
    report = run_pipeline(RunOptions(env.inbox, env.outbox, env.state, date(2026, 11, 24), str(dest), 5.0))
    items = {it["id"]: it for it in report["items"]}
    assert items["1"]["actual"] == 36 and items["1"]["verdict"] in ("否", "未达标")
    assert items["2"]["verdict"] == "待补充"

    from test_verdicts_data import member, view

    roster = [member(f"学生{i:02d}", f"20190101{i:02d}", row=i + 2) for i in range(35)]
    assert decide_item(catalogue.item("1"), view(roster, catalogue=catalogue)).verdict == "达标"


def test_run_accepts_a_local_edition_by_name_beside_the_settings_file(tmp_path, monkeypatch):
    from sureform.config import load_settings

    folder = tmp_path / "league"
    folder.mkdir()
    (folder / "sureform.toml").write_text('edition = "本校2026"\n', encoding="utf-8")
    import_to(folder, simple_form(tmp_path / "f.docx", [("1. 工作人员不超过35人。", "")]), "本校2026")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    settings = load_settings(config_path=folder / "sureform.toml", env={}, cwd=elsewhere)
    assert Path(settings.edition) == (folder / "editions" / "本校2026.toml").resolve()
    assert load_edition(settings.edition).item("1").params == {"limit": 35}
    flagged = load_settings({"edition": "本校2026"}, config_path=folder / "sureform.toml", env={}, cwd=elsewhere)
    assert flagged.edition == settings.edition
    from sureform.config import ConfigError

    with pytest.raises(ConfigError, match="本校2026"):
        load_settings({"edition": "别的"}, config_path=folder / "sureform.toml", env={}, cwd=elsewhere)


# ---- the CLI -----------------------------------------------------------------------------------------------
def test_cli_import_list_show(tmp_path, monkeypatch, capsys):
    from sureform.cli import main

    wide(monkeypatch)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SUREFORM_CONFIG", raising=False)
    form = simple_form(tmp_path / "空白表.docx", [("★1. 工作人员不超过35人。", "实有N人"),
                                                  ("2. 学生会组织建立了联系服务同学的长效机制。", ""),
                                                  ("3. 2019年10月以来召开了校级学生（研究生）代表大会。", "召开日期为：")])
    assert main(["editions", "import", str(form), "--name", "本校"]) == 0
    out = capsys.readouterr().out
    assert "规则：工作人员人数不超过上限" in out and "上限（含）：35" in out and "人工判定" in out
    assert "最早的召开日期（含）：2019年10月1日" in out and "staff-at-most" not in out and "since=" not in out
    assert "editions/本校.toml" in out.replace("\\", "/")
    assert (tmp_path / "editions" / "本校.toml").is_file()

    assert main(["editions", "import", str(form), "--name", "本校"]) == 2  # never overwritten without --force
    assert "--force" in capsys.readouterr().err
    assert main(["editions", "import", str(form), "--name", "本校", "--force"]) == 0
    capsys.readouterr()
    assert main(["editions", "import", str(form), "--name", "2020"]) == 2
    assert "内置" in capsys.readouterr().err

    assert main(["editions", "list"]) == 0
    out = capsys.readouterr().out
    for name in (*available_editions(), "本校"):
        assert name in out
    assert "本地" in out and "内置" in out and "校级 3 项" in out and "人工判定 1 项" in out

    assert main(["editions", "show", "本校"]) == 0
    out = capsys.readouterr().out
    assert "规则：工作人员人数不超过上限" in out and "上限（含）：35" in out and "人工判定" in out and "★" in out
    assert "备注：如“实有35人”" in out and "{n}" not in out

    assert "此版本缺少：无" in out

    make_blank_forms.form_2022(tmp_path / "改革自评表.docx")
    assert main(["editions", "import", "改革自评表.docx"]) == 0
    capsys.readouterr()
    assert main(["editions", "show", "改革自评表"]) == 0
    out = capsys.readouterr().out
    assert "规则：按期召开代表大会" in out and "往前看的学年数（1 表示仅本学年）：2" in out and "每个二级组织一张" in out
    assert "此版本缺少：" in out and "没有项目行" in out and "（二级表没有项目）" in out
    assert main(["editions", "show", "2020"]) == 0
    assert "规则：专职团干指导，聘任秘书长" in capsys.readouterr().out

    assert main(["editions", "show", "没有"]) == 2
    assert "没有备案表版本" in capsys.readouterr().err


def test_cli_import_refuses_a_file_that_is_not_a_form(tmp_path, monkeypatch, capsys):
    from sureform.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SUREFORM_CONFIG", raising=False)
    doc = docx.Document()
    doc.add_paragraph("一封信")
    doc.save(str(tmp_path / "信.docx"))
    (tmp_path / "坏.docx").write_bytes(b"not a zip")
    assert main(["editions", "import", str(tmp_path / "信.docx")]) == 2
    assert "没有找到项目表" in capsys.readouterr().err
    assert main(["editions", "import", str(tmp_path / "坏.docx")]) == 2
    assert "无法读取空白表" in capsys.readouterr().err
    assert not (tmp_path / "editions").exists() or not any((tmp_path / "editions").iterdir())
