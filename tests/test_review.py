"""`sureform review`: colleges' filled declarations (real .docx built here, a .doc through LibreOffice) read,
recomputed item by item against the form's own numbers, and the 复评 outputs written and opened in LibreOffice."""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "examples" / "review"))
import make_review_samples as samples  # noqa: E402

from sureform.cli import main  # noqa: E402
from sureform.intake.declarations import actual_of, held_of, read_college, read_declaration, scan_review_inbox  # noqa: E402
from sureform.issues import ISSUE_TYPES  # noqa: E402
from sureform.pipeline import ReviewOptions, run_review  # noqa: E402
from sureform.rules.review import review_college, select_visits, review_all  # noqa: E402

AS_OF = date(2021, 12, 10)
IDS_2020 = ["1", "2", "3a", "3b", "3c"] + [str(i) for i in range(4, 16)]
OK_2020 = {i: "达标" for i in IDS_2020}
YES_2022 = {str(i): "是" for i in range(1, 12)}
GOOD_2022 = {"3": "实有38人", "4": "实有5人", "5": "实有6个", "11": "召开日期为：2021年11月20日"}
GOOD_2020 = {"3a": "实有人 36", "3b": "实有人 5", "3c": "实有个 6", "9": "召开日期为：2021年4月10日"}


def review_of(path: Path, catalogue=None):
    dec = read_declaration(path, path.name, path.parent.name)
    return dec, review_college(dec, AS_OF, catalogue)


def item(c, iid, table="校级", unit=None):
    return next(i for i in c.items if i.id == iid and i.table == table and (unit is None or i.unit == unit))


def codes(c) -> list[str]:
    return [i.code for i in c.issues]


# ---- reading ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("note, expected", [("实有人 58", (58, "人")), ("实有58", (58, None)), ("实有 3 人", (3, "人")),
                                            ("实有个 6", (6, "个")), ("实有５１人", (51, "人")), ("", (None, None))])
def test_actual_values_of_every_published_note(note, expected):
    assert actual_of(note) == expected


@pytest.mark.parametrize("note, expected", [("召开日期为：2019年11月9日", ("2019-11-09", "2019年11月9日")),
                                            ("召开日期为：3月30日", (None, "3月30日")), ("召开日期为：", (None, None)),
                                            ("召开时间：2021.4.10", ("2021-04-10", "2021.4.10"))])
def test_congress_dates(note, expected):
    assert held_of(note) == expected


@pytest.mark.parametrize("style", ["unicode", "wingdings", "square", "typed"])
def test_every_kind_of_tick_is_read(tmp_path, style):
    answers = dict(OK_2020, **{"9": "未达标"})
    path = samples.filled_2020(tmp_path / "学院" / "备案表.docx", "学院", "研究生会", answers, GOOD_2020, style=style)
    dec, c = review_of(path)
    assert dec.org == "研究生会" and dec.org_name == "学院"
    assert [i.declared for i in dec.items] == [answers[i] for i in IDS_2020]
    assert item(c, "3a").actual == 36 and item(c, "3c").actual == 6
    assert c.outcome == "需整改" and codes(c)[0] == "review-declared-no"


def test_header_fields_units_tables_and_section_four(tmp_path):
    units = [("机械工程学院学生会", {}, {"3": "实有 24 人"}), ("研究生院研究生会", {"6": "否"}, {"3": "实有 31 人"})]
    path = samples.filled_2022(tmp_path / "甲" / "自评表.docx", "甲学院", "学生会", YES_2022, GOOD_2022, units=units,
                               reviewed="是", link="https://x.example.cn/a.htm", figures=(38, 38, 0, 5, "100%", "否", "否"))
    dec, c = review_of(path)
    assert (dec.units_declared, dec.reviewed, dec.link) == (2, "是", "https://x.example.cn/a.htm")
    assert dec.units == ["机械工程学院学生会", "研究生院研究生会"]
    assert dec.figures["staff"] == 38 and dec.figures["top30"] == 1.0
    assert c.units_found == 2 and c.edition == "2022"
    over = item(c, "3", "二级", "研究生院研究生会")
    assert (over.actual, over.consistent) == (31, False)  # the 二级 table's own limit: 不超过30人
    assert item(c, "6", "二级", "研究生院研究生会").declared == "否"
    assert c.outcome == "需整改"
    assert item(c, "3", "二级", "机械工程学院学生会").consistent is True


# ---- the seed ----------------------------------------------------------------------------------------------
def test_the_seed_disclosure_must_rectify_with_3a_and_6_open(tmp_path):
    name, answers, notes, figures = samples.seed_declaration(samples.SEED)
    path = samples.filled_2020(tmp_path / name / "公开.docx", name, "学生会", answers, notes, figures=figures,
                               disclosure=True)
    dec, c = review_of(path)
    assert c.outcome == "需整改" and c.edition == "2020"
    assert item(c, "9").declared == "未达标"
    assert item(c, "3a").actual == 58 and item(c, "3a").consistent is None
    assert item(c, "6").consistent is None
    assert item(c, "3b").consistent is True and item(c, "5").consistent is True
    assert "review-large-school" in codes(c) and "review-ratio-below" in codes(c)
    src = next(i for i in c.issues if i.code == "review-large-school")
    assert (src.row, src.column, src.item) == (4, "备注", "3a")


# ---- recomputing -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("note, consistent, code", [("实有51人", None, "review-large-school"),
                                                    ("实有66人", False, "review-over-limit"),
                                                    ("实有38人", True, None), ("", None, "review-count-missing")])
def test_staff_against_both_limits(tmp_path, note, consistent, code):
    path = samples.filled_2022(tmp_path / "乙" / "表.docx", "乙", "学生会", YES_2022, dict(GOOD_2022, **{"3": note}))
    _, c = review_of(path)
    assert item(c, "3").consistent is consistent
    assert (code in codes(c)) if code else not any(x.item == "3" for x in c.issues)
    assert c.outcome == {None: "待核实", False: "需整改", True: "通过"}[consistent]


def test_a_form_that_says_the_school_is_large(tmp_path):
    path = samples.filled_2022(tmp_path / "乙" / "表.docx", "乙", "学生会", YES_2022,
                               dict(GOOD_2022, **{"3": "实有51人（学生人数较多的高校）"}))
    _, c = review_of(path)
    assert item(c, "3").consistent is True and c.outcome == "通过"


def test_unit_slip_is_a_hint(tmp_path):
    path = samples.filled_2022(tmp_path / "乙" / "表.docx", "乙", "学生会", YES_2022, dict(GOOD_2022, **{"5": "实有6人"}))
    _, c = review_of(path)
    assert "review-unit-slip" in codes(c) and item(c, "5").consistent is True and c.outcome == "通过"


@pytest.mark.parametrize("held, consistent, code", [("召开日期为：3月30日", None, "review-date-no-year"),
                                                    ("召开日期为：", None, "review-date-missing"),
                                                    ("召开日期为：2019年3月30日", False, "review-date-off-schedule"),
                                                    ("召开日期为：2022年3月30日", False, "review-date-future"),
                                                    ("召开日期为：2020年10月9日", True, None)])
def test_congress_on_schedule(tmp_path, held, consistent, code):
    path = samples.filled_2022(tmp_path / "丙" / "表.docx", "丙", "学生会", YES_2022, dict(GOOD_2022, **{"11": held}))
    _, c = review_of(path)
    assert item(c, "11").consistent is consistent and item(c, "11").mark == "★"
    assert (code in codes(c)) if code else True


def test_congress_since_2019_on_the_2020_form(tmp_path):
    path = samples.filled_2020(tmp_path / "丁" / "表.docx", "丁", "学生会", OK_2020,
                               dict(GOOD_2020, **{"9": "召开日期为：2019年6月1日"}))
    _, c = review_of(path)
    assert item(c, "9").consistent is False and "review-date-before" in codes(c) and c.outcome == "需整改"


def test_section_four_against_the_items(tmp_path):
    path = samples.filled_2022(tmp_path / "戊" / "表.docx", "戊", "学生会", YES_2022, GOOD_2022,
                               figures=(40, 37, 1, 5, "95%", "否", "否"))
    _, c = review_of(path)
    assert "review-staff-mismatch" in codes(c) and item(c, "3").consistent is None  # 38 in 备注, 40 in 四
    assert item(c, "7").consistent is False and "review-political-short" in codes(c)
    assert item(c, "8").consistent is None and "review-ratio-below" in codes(c)
    assert c.outcome == "需整改"


def test_declared_units_against_tables_received(tmp_path):
    units = [("A学院学生会", {}, {"3": "实有 20 人", "4": "实有 3 人", "9": "召开日期为：2021年10月15日"})]
    path = samples.filled_2022(tmp_path / "己" / "表.docx", "己", "学生会", YES_2022, GOOD_2022, units=units,
                               units_declared=4)
    _, c = review_of(path)
    assert (c.units_declared, c.units_found) == (4, 1)
    assert "review-units-mismatch" in codes(c) and c.outcome == "待核实"


def test_observation_items_never_decide_while_not_binding(tmp_path):
    items = list(samples.blanks.ITEMS_2022)
    items[1] = ("▲", items[1][1], items[1][2])
    answers = dict(YES_2022, **{"2": "否"})
    path = samples.filled_2022(tmp_path / "庚" / "表.docx", "庚", "学生会", answers, GOOD_2022, items=items)
    _, c = review_of(path)
    assert item(c, "2").binding is False and c.outcome == "通过" and "review-not-binding" in codes(c)


def test_core_failures_come_first(tmp_path):
    answers = dict(YES_2022, **{"2": "否", "11": "否"})
    path = samples.filled_2022(tmp_path / "辛" / "表.docx", "辛", "学生会", answers, GOOD_2022)
    _, c = review_of(path)
    assert c.outcome == "需整改" and c.reasons[0].startswith("★") and "第11项" in c.reasons[0]


def test_nothing_ticked_and_an_edition_given(tmp_path):
    from sureform.rules.library import load_edition

    answers = {k: v for k, v in OK_2020.items() if k != "4"}
    path = samples.filled_2020(tmp_path / "壬" / "表.docx", "壬", "学生会", answers, GOOD_2020)
    _, c = review_of(path, load_edition("2020"))
    assert item(c, "4").consistent is None and "review-verdict-missing" in codes(c)
    assert c.edition == "2020" and "review-item-missing" not in codes(c)
    assert c.outcome == "待核实"


def test_items_of_the_edition_missing_from_the_form(tmp_path):
    from sureform.rules.library import load_edition

    items = list(samples.blanks.ITEMS_2022)[:10]
    path = samples.filled_2022(tmp_path / "癸" / "表.docx", "癸", "学生会", YES_2022, GOOD_2022, items=items)
    _, own = review_of(path)
    assert own.outcome == "通过"  # judged by the form it filled: ten items, all borne out
    _, c = review_of(path, load_edition("2022"))
    assert "review-item-missing" in codes(c) and item(c, "11").declared is None and c.outcome == "待核实"


def test_every_code_is_registered(tmp_path):
    source = (HERE.parent / "sureform" / "rules" / "review.py").read_text(encoding="utf-8")
    import re

    for code in set(re.findall(r'"(review-[a-z-]+)"', source)):
        assert code in ISSUE_TYPES, code


# ---- the run -----------------------------------------------------------------------------------------------
@pytest.fixture
def province(tmp_path):
    inbox = tmp_path / "review" / "inbox"
    samples.filled_2022(inbox / "滨海理工学院" / "自评表.docx", "滨海理工学院", "学生会", YES_2022, GOOD_2022,
                        style="wingdings")
    samples.filled_2020(inbox / "津南师范学院" / "备案表.docx", "津南师范学院", "学生会", OK_2020,
                        dict(GOOD_2020, **{"3a": "实有45"}))
    samples.filled_2022(inbox / "河东职业学院" / "表.docx", "河东职业学院", "学生会", YES_2022,
                        dict(GOOD_2022, **{"3": "实有66人"}))
    samples.filled_2020(inbox / "顶层学院备案表.docx", "顶层学院", "学生会", OK_2020, GOOD_2020)  # at the top level
    (inbox / "坏学院").mkdir()
    (inbox / "坏学院" / "表.docx").write_bytes(b"not a zip")
    (inbox / "扫描学院").mkdir()
    from PIL import Image

    Image.new("RGB", (600, 800), "white").save(inbox / "扫描学院" / "表.pdf")  # a scan: a page with no text
    return tmp_path


def cli(root: Path, *extra) -> dict:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["review", "--inbox", str(root / "review/inbox"), "--outbox", str(root / "review/outbox"),
                     "--state", str(root / "review/state"), "--as-of", AS_OF.isoformat(), "--json", *extra])
    assert code == 0
    return json.loads(out.getvalue())


def test_review_command_json_and_outputs(province):
    report = cli(province)
    assert report["round"] == "2021—2022学年"
    by = {c["name"]: c for c in report["colleges"]}
    assert {k: v["outcome"] for k, v in by.items()} == {"滨海理工学院": "通过", "津南师范学院": "待核实",
                                                       "河东职业学院": "需整改", "顶层学院": "通过",
                                                       "坏学院": "待核实", "扫描学院": "待核实"}
    assert set(by["河东职业学院"]) >= {"name", "org", "edition", "units_declared", "units_found", "outcome", "files",
                                    "items"}
    it = next(i for i in by["河东职业学院"]["items"] if i["id"] == "3")
    assert it == {"table": "校级", "unit": None, "id": "3", "mark": None, "declared": "是", "actual": 66,
                  "consistent": False, "reasons": it["reasons"]} and it["reasons"]
    assert "扫描件" in by["扫描学院"]["reasons"][0]
    assert by["顶层学院"]["files"] == ["顶层学院备案表.docx"]
    out = province / "review/outbox"
    assert (out / "复评汇总.xlsx").is_file() and (out / "实地复核工作表.xlsx").is_file()
    letters = sorted(p.name for p in (out / "复评意见").iterdir())
    assert letters == ["坏学院.docx", "扫描学院.docx", "河东职业学院.docx", "津南师范学院.docx"]
    assert [v["why"] for v in report["visits"]][:4] == ["需整改", "待核实", "待核实", "待核实"]
    assert not any(p.name.endswith(".tmp") or p.name.startswith(".") for p in out.rglob("*"))


def test_summary_workbook_cells(province):
    from openpyxl import load_workbook

    cli(province)
    wb = load_workbook(province / "review/outbox/复评汇总.xlsx")
    assert wb.sheetnames == ["复评汇总", "问题清单", "结论名单"]
    ws = wb["复评汇总"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "河东职业学院")
    assert row[2].value == "需整改" and row[2].fill.start_color.rgb == "FFFFC7CE"
    assert row[header.index("第3项")].value == "是（实有66）"
    assert ws.auto_filter.ref and ws.page_setup.orientation == "landscape"
    findings = wb["问题清单"]
    hit = next(r for r in findings.iter_rows(min_row=2) if r[0].value == "河东职业学院" and r[1].value == "第3项")
    assert "第4行" in hit[5].value and "备注栏" in hit[5].value and "表.docx" in hit[5].value
    visits = load_workbook(province / "review/outbox/实地复核工作表.xlsx")
    assert visits.sheetnames == ["复核名单", "核查项目", "访谈记录", "满意度统计"]
    people = [r[1].value for r in visits["访谈记录"].iter_rows(min_row=2) if r[0].value == "河东职业学院"]
    assert people.count("团组织负责人") == 1 and people.count("普通同学") == 5


def test_sample_is_reproducible_and_only_draws_passers(province):
    decs = [read_college(cf) for cf in scan_review_inbox(province / "review/inbox")]
    rnd = review_all(decs, AS_OF)
    a = [v.college.name for v in select_visits(rnd, 0.5, 7)]
    assert a == [v.college.name for v in select_visits(rnd, 0.5, 7)]
    drawn = [v for v in select_visits(rnd, 1.0, 1) if v.why == "随机抽取"]
    assert {v.college.outcome for v in drawn} == {"通过"} and len(drawn) == 2


def test_history_shows_what_changed_and_a_resubmission_supersedes(province):
    cli(province)
    path = province / "review/inbox/河东职业学院/表.docx"
    samples.filled_2022(path, "河东职业学院", "学生会", YES_2022, dict(GOOD_2022, **{"3": "实有51人"}))
    report = cli(province)
    c = next(c for c in report["colleges"] if c["name"] == "河东职业学院")
    assert "工作人员 66 → 51" in c["changes"] and "结论 需整改 → 待核实" in c["changes"]
    db = sqlite3.connect(province / "review/state/review.sqlite")
    rows = db.execute("SELECT superseded_by IS NULL FROM review_declarations WHERE college = ? ORDER BY id",
                      ("河东职业学院",)).fetchall()
    assert rows == [(0,), (1,)]
    again = cli(province)  # the same bytes again: nothing new, nothing superseded
    assert next(c for c in again["colleges"] if c["name"] == "河东职业学院")["changes"] == ["工作人员 66 → 51", "结论 需整改 → 待核实"]
    assert db.execute("SELECT COUNT(*) FROM review_declarations WHERE college = ?", ("河东职业学院",)).fetchone() == (2,)


def test_review_settings_table(tmp_path):
    from sureform.config import ConfigError, load_review_settings

    (tmp_path / "sureform.toml").write_text('edition = "2020"\n[review]\ninbox = "省/收件"\nsample = 0.5\n',
                                            encoding="utf-8")
    rs = load_review_settings({}, cwd=tmp_path, env={})
    assert rs.inbox == (tmp_path / "省/收件").resolve() and rs.outbox == (tmp_path / "review/outbox").resolve()
    assert rs.sample == 0.5
    (tmp_path / "sureform.toml").write_text("[review]\nfoo = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_review_settings({}, cwd=tmp_path, env={})


# ---- LibreOffice: the .doc in, the outputs opened ---------------------------------------------------------
soffice = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(not soffice, reason="LibreOffice not installed")
def test_a_legacy_doc_is_reviewed(tmp_path):
    src = samples.filled_2020(tmp_path / "src.docx", "渤海医学院", "学生会", OK_2020, GOOD_2020)
    doc = samples.to_doc(src, tmp_path / "inbox" / "渤海医学院" / "备案表.doc")
    _, c = review_of(doc)
    assert c.outcome == "通过" and item(c, "3a").actual == 36 and c.edition == "2020"


@pytest.mark.skipif(not soffice, reason="LibreOffice not installed")
def test_outputs_open_in_libreoffice(province, tmp_path):
    cli(province)
    out = province / "review/outbox"
    files = [out / "复评汇总.xlsx", out / "实地复核工作表.xlsx", out / "复评意见" / "河东职业学院.docx"]
    pdfs = tmp_path / "pdf"
    for f in files:
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                        "--outdir", str(pdfs), str(f)], check=True, timeout=180, capture_output=True)
        pdf = pdfs / (f.stem + ".pdf")
        assert pdf.is_file() and pdf.stat().st_size > 1000
    if not shutil.which("pdftotext"):
        pytest.skip("poppler not installed")
    text = subprocess.run(["pdftotext", str(pdfs / "河东职业学院.pdf"), "-"], capture_output=True, text=True).stdout
    assert "需整改的问题" in text and "66" in text


def test_run_review_in_process_same_as_cli(province):
    report = run_review(ReviewOptions(province / "review/inbox", province / "review/outbox",
                                      province / "review/state", AS_OF))
    assert report["counts"] == {"通过": 2, "需整改": 1, "待核实": 3}


def test_a_college_folder_and_a_top_level_file_are_one_college_and_a_foreign_form_is_said(tmp_path):
    inbox = tmp_path / "review/inbox"
    samples.filled_2020(inbox / "甲学院" / "备案表.docx", "甲学院", "学生会", OK_2020, GOOD_2020)
    samples.filled_2020(inbox / "甲学院补充.docx", "甲学院", "学生会", OK_2020, GOOD_2020)
    samples.filled_2020(inbox / "乙学院" / "备案表.docx", "丙学院", "学生会", OK_2020, GOOD_2020)
    report = cli(tmp_path)
    by = {c["name"]: c for c in report["colleges"]}
    assert set(by) == {"甲学院", "乙学院"}
    assert by["甲学院"]["files"] == ["甲学院/备案表.docx", "甲学院补充.docx"] and by["甲学院"]["outcome"] == "通过"
    assert by["乙学院"]["outcome"] == "待核实" and "丙学院" in by["乙学院"]["reasons"][0]


def test_terminal_shows_control_characters_of_a_name(tmp_path, capsys):
    from sureform.outputs.review import print_review

    inbox = tmp_path / "review/inbox"
    samples.filled_2020(inbox / "学院\x1b[2J" / "备案表.docx", "学院", "学生会", OK_2020, GOOD_2020)
    report = cli(tmp_path)
    print_review(report)
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b" in out


@pytest.mark.skipif(not soffice, reason="LibreOffice not installed")
def test_a_born_digital_pdf_is_reviewed(tmp_path):
    units = [("机械工程学院学生会", {}, {"3": "实有 31 人", "4": "实有 3 人", "9": "召开日期为：2021年10月15日"})]
    src = samples.filled_2022(tmp_path / "src.docx", "塘沽商业学院", "学生会", YES_2022, GOOD_2022, units=units,
                              style="wingdings")
    pdf = samples.to_doc(src, tmp_path / "塘沽商业学院" / "表.pdf", "pdf")
    dec, c = review_of(pdf)
    assert (dec.org, dec.units_declared, dec.units) == ("学生会", 1, ["机械工程学院学生会"])
    assert [i.declared for i in c.items if i.table == "校级"] == ["是"] * 11  # Wingdings boxes, font lost in the PDF
    assert item(c, "3").actual == 38 and item(c, "3", "二级").consistent is False and c.outcome == "需整改"


@pytest.mark.skipif(not soffice, reason="LibreOffice not installed")
def test_the_2020_form_as_pdf_keeps_its_merged_group(tmp_path):
    src = samples.filled_2020(tmp_path / "src.docx", "丁", "学生会", OK_2020, dict(GOOD_2020, **{"3a": "实有45"}))
    pdf = samples.to_doc(src, tmp_path / "丁" / "表.pdf", "pdf")
    _, c = review_of(pdf)
    assert [i.id for i in c.items] == IDS_2020 and item(c, "3a").consistent is None and c.edition == "2020"


def test_edition_flag_and_an_unknown_edition(province, capsys):
    report = cli(province, "--edition", "2022")
    by = {c["name"]: c for c in report["colleges"]}
    assert by["河东职业学院"]["edition"] == "2022" and by["河东职业学院"]["outcome"] == "需整改"
    code = main(["review", "--inbox", str(province / "review/inbox"), "--outbox", str(province / "review/outbox"),
                 "--state", str(province / "review/state"), "--edition", "1999"])
    assert code == 2 and "没有这个备案表版本" in capsys.readouterr().err
