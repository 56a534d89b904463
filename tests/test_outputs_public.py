"""Issue 19, the outputs: an incomplete edition prints drafts and says so, the public documents speak to the
public, long evidence has room, one colour language, codes out of the users' sight, every sheet readable on
paper, the wording corrected, the freshmen note. Each on the sample data or a file filled as a secretary would."""
from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from conftest import HEADER, file_report, issue, person, write_xlsx
from test_golden_sample import docx_text

from sureform.outputs.cells import SEVERITY_FILL, STATE_FILL
from sureform.outputs.documents.pdf import docx_to_pdf, pdf_text, soffice_path
from sureform.outputs.sheet_xml import CELL_PADDING, LINE_HEIGHT, MAX_ROW_HEIGHT, wrapped_lines

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples" / "inbox"
SAMPLE_AS_OF = "2020-11-24"
DOCUMENTS = ("备案表.docx", "改革情况公开.docx")
CODE = re.compile(r"\b[a-z]+(?:-[a-z]+)+\b")  # an issue code such as date-invalid
needs_soffice = pytest.mark.skipif(soffice_path() is None and not os.environ.get("CI"),
                                   reason="LibreOffice (soffice) is not installed")


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sureform.cli", "run", "--inbox", str(root / "inbox"), "--outbox", str(root / "outbox"),
         "--state", str(root / "state"), "--as-of", SAMPLE_AS_OF, "--settle", "0", *args],
        capture_output=True, text=True, cwd=root, timeout=300,
        env={k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {"COLUMNS": "160"})


@pytest.fixture(scope="module")
def sample2022(tmp_path_factory):
    """`make demo EDITION=2022` as the league office runs it: the JSON run, then the terminal's run."""
    root = tmp_path_factory.mktemp("s2022")
    shutil.copytree(EXAMPLES, root / "inbox")
    done = cli(root, "--edition", "2022", "--json")
    assert done.returncode == 0, done.stderr
    again = cli(root, "--edition", "2022")  # nothing new: the recorded consolidation, printed for a person
    assert again.returncode == 0, again.stderr
    return json.loads(done.stdout), done.stderr, again, root / "outbox"


@pytest.fixture(scope="module")
def sample2020(tmp_path_factory):
    from sureform.pipeline import RunOptions, run_pipeline

    root = tmp_path_factory.mktemp("s2020")
    shutil.copytree(EXAMPLES, root / "inbox")
    report = run_pipeline(RunOptions(root / "inbox", root / "outbox", root / "state", date(2020, 11, 24), "2020", 0))
    return report, root / "outbox"


def header_texts(path: Path) -> list[str]:
    return ["".join(p.text for p in s.header.paragraphs) for s in docx.Document(str(path)).sections]


# ---- 3. an incomplete edition is never printed as final -----------------------------------------------------
def test_an_incomplete_edition_warns_before_the_run_and_in_the_report(sample2022):
    report, stderr, again, _ = sample2022
    assert stderr.startswith("注意：本版本（2022）缺少：")  # before any work (the JSON run prints nothing else)
    flat = re.sub(r"\s+", "", stderr)  # wrapped to the terminal's width
    assert "（二）二级学生会组织改革自评表的项目" in flat and "第12项及以后的项目" in flat
    assert "请先导入省级团委下发的空白表：sureformeditionsimport" in flat and "未见公开" not in flat
    assert [re.sub(r"\s+", "", w) for w in report["warnings"]] == [flat.removeprefix("注意：")]
    assert report["edition"]["complete"] is False and report["edition"]["name"] == "2022"
    assert "（二）二级学生会组织改革自评表的项目" in report["edition"]["missing"]
    # the terminal: said before and again after the run, the table under the edition's own title
    assert again.stderr.startswith("注意：本版本（2022）缺少")
    shown = again.stdout
    assert "注意：本版本（2022）缺少" in shown.replace("\n", "")
    assert "（一）校级学生会组织改革自评表" in shown and "自动判定" not in shown


def test_drafts_say_so_on_every_page_and_keep_the_source_notes_out(sample2022):
    _, _, _, outbox = sample2022
    for name in DOCUMENTS:
        headers = header_texts(outbox / name)
        assert headers and all(h.startswith("草稿") for h in headers), (name, headers)
        text = "\n".join(docx_text(outbox / name))
        for note in ("原文未见公开", "本版本", "项目清单不完整", "第 12 项及以后", "（二）二级学生会组织"):
            assert note not in text, (name, note)
    # …they belong in 汇总.xlsx (and `editions show`)
    notes = [r for r in load_workbook(outbox / "汇总.xlsx")["版本说明"].iter_rows(min_row=2, values_only=True)]
    assert ("缺少", "（二）二级学生会组织改革自评表的项目原文未见公开") in notes
    assert any(what == "怎么办" and "sureform editions import" in text for what, text in notes)


@needs_soffice
def test_the_draft_mark_prints_on_every_page(sample2022, tmp_path):
    _, _, _, outbox = sample2022
    pdf = docx_to_pdf(outbox / "备案表.docx", tmp_path)
    pages = pdf_text(pdf).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2 and all("草稿" in p for p in pages)


def test_a_complete_edition_prints_no_draft_and_warns_of_nothing(sample2020):
    report, outbox = sample2020
    assert "warnings" not in report and report["edition"]["complete"] is True
    for name in DOCUMENTS:
        assert not any("草稿" in h for h in header_texts(outbox / name))
    assert "版本说明" not in load_workbook(outbox / "汇总.xlsx").sheetnames


# ---- 4. public documents speak to the public ----------------------------------------------------------------
@pytest.mark.parametrize("edition", ["2020", "2022"])
def test_public_documents_carry_no_pointers_notes_or_codes(edition, sample2020, sample2022):
    outbox = sample2020[1] if edition == "2020" else sample2022[3]
    for name in DOCUMENTS:
        text = "\n".join(docx_text(outbox / name))
        assert "汇总" not in text and "评估结论”" not in text and "本版本" not in text, name
        assert not CODE.findall(text), (name, CODE.findall(text))
    item1 = next(i for i in (sample2020[0] if edition == "2020" else sample2022[0])["items"] if i["id"] == "1")
    assert item1["note"] == "生活纪安部职责含卫生检查、保卫、安保等行政职能"  # the reason alone


# ---- 6. long evidence has room --------------------------------------------------------------------------------
def test_no_cell_of_the_summary_holds_more_than_its_row_shows(sample2022):
    _cells_fit_their_rows(sample2022[3] / "汇总.xlsx")
    wb = load_workbook(sample2022[3] / "汇总.xlsx")
    for ws in wb.worksheets:
        widths = {}
        for dim in ws.column_dimensions.values():
            for col in range((dim.min or 0), (dim.max or 0) + 1):
                widths[col] = dim.width
        for row in ws.iter_rows(min_row=2):
            height = ws.row_dimensions[row[0].row].height or LINE_HEIGHT
            for cell in row:
                if isinstance(cell.value, str):
                    need = LINE_HEIGHT * wrapped_lines(cell.value, widths[cell.column]) + CELL_PADDING
                    assert need <= MAX_ROW_HEIGHT, (ws.title, cell.coordinate, len(cell.value))
                    assert need <= height + CELL_PADDING, (ws.title, cell.coordinate, need, height)


def _cells_fit_their_rows(path: Path) -> None:
    wb = load_workbook(path)
    for ws in wb.worksheets:
        widths = {}
        for dim in ws.column_dimensions.values():
            for col in range((dim.min or 0), (dim.max or 0) + 1):
                widths[col] = dim.width
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    need = LINE_HEIGHT * wrapped_lines(cell.value, widths[cell.column]) + CELL_PADDING
                    assert need <= MAX_ROW_HEIGHT, (ws.title, cell.coordinate, len(cell.value))


def test_a_very_long_duty_text_still_has_room(tmp_path):
    """A league office pastes a whole regulation (1,500 characters) as one department's 职责: its data cell gets a
    wider column, its evidence line is cut where its row ends and says where the whole text is."""
    from sureform.pipeline import RunOptions, run_pipeline

    shutil.copytree(EXAMPLES, tmp_path / "inbox")
    path = tmp_path / "inbox" / "机构信息.xlsx"
    wb = load_workbook(path)
    duty = wb["部门设置"]["B7"].value
    wb["部门设置"]["B7"] = duty + "\n" + "负责校园文明纠察，检查各楼层卫生和晚归情况，" * 50
    assert len(wb["部门设置"]["B7"].value) > 1300
    wb.save(path)
    run_pipeline(RunOptions(tmp_path / "inbox", tmp_path / "outbox", tmp_path / "state", date(2020, 11, 24), "2020", 0))
    summary = tmp_path / "outbox" / "汇总.xlsx"
    _cells_fit_their_rows(summary)
    wb = load_workbook(summary)
    duties = wb["机构信息·部门设置"]
    assert duties.column_dimensions["B"].width > 40  # widened for the long text…
    assert duties["B7"].value.startswith(duty) and "全文" not in duties["B7"].value  # …which it shows whole
    facts = [r[5] for r in wb["评估依据"].iter_rows(min_row=2, values_only=True) if r[3] == "1"]
    assert any(f.endswith("……（全文见出处）") and "生活纪安部" in f for f in facts)


def test_the_failing_items_evidence_is_one_fact_a_row_and_its_finding_is_in_view(sample2022):
    wb = load_workbook(sample2022[3] / "汇总.xlsx")
    verdicts = wb["评估结论"]
    assert [c.value for c in verdicts[1]][-2:] == ["备注", "依据"]
    row = next(r for r in verdicts.iter_rows(min_row=2, values_only=True) if r[3] == "1")
    assert row[7] == "生活纪安部职责含卫生检查、保卫、安保等行政职能"
    m = re.fullmatch(r"共 (\d+) 条，见“评估依据”第 (\d+)—(\d+) 行", row[8])
    assert m, row[8]
    count, first, last = map(int, m.groups())
    facts = wb["评估依据"]
    rows = [[c.value for c in facts[n]] for n in range(first, last + 1)]
    assert len(rows) == count and {r[3] for r in rows} == {"1"} and [r[4] for r in rows] == list(range(1, count + 1))
    assert any("请调整部门职责，或由校团委填写复核说明" in r[5] and r[6] == "机构信息.xlsx 部门设置 B7" for r in rows)


# ---- 7, 8, 9: the feedback as the secretary gets it back ---------------------------------------------------
@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    """The sample's own 石油工程系 roster with a secretary's mistakes: an impossible date (错误), 部长助理 and 群众
    (问题), another 系 in 院系 (提示); filed in 2026."""
    from sureform.pipeline import RunOptions, run_pipeline

    root = tmp_path_factory.mktemp("marked")
    wb = load_workbook(EXAMPLES / "石油工程系" / "工作人员名单.xlsx")
    ws = wb["名单"]
    ws["K5"], ws["I6"], ws["R7"], ws["D8"] = "部长助理", "群众", "2026-9-31", "化学工程系"
    path = root / "inbox" / "石油工程系" / "工作人员名单.xlsx"
    path.parent.mkdir(parents=True)
    wb.save(path)
    report = run_pipeline(RunOptions(root / "inbox", root / "outbox", root / "state", date(2026, 11, 24), "2020", 0))
    feedback = root / "outbox" / "退回" / "石油工程系" / "工作人员名单.xlsx_错误标注.xlsx"
    return file_report(report, "石油工程系/工作人员名单.xlsx"), feedback


def test_one_colour_language_in_the_feedback(marked):
    f, feedback = marked
    assert {i["severity"] for i in f["issues"]} == {"error", "finding", "warning"}
    wb = load_workbook(feedback)
    sheet = wb["名单"]
    assert sheet["R7"].fill.fgColor.rgb == SEVERITY_FILL["错误"]  # red: the file is not accepted
    assert sheet["K5"].fill.fgColor.rgb == sheet["I6"].fill.fgColor.rgb == SEVERITY_FILL["问题"]  # orange
    assert sheet["D8"].fill.fgColor.rgb == SEVERITY_FILL["提示"]  # yellow
    listing = wb["问题清单"]
    heading = listing["A1"].value
    assert "红色为错误" in heading and "橙色为问题" in heading and "黄色为提示" in heading
    assert "标红的单元格" not in heading
    for row in listing.iter_rows(min_row=3):
        assert row[1].fill.fgColor.rgb == SEVERITY_FILL[row[1].value]


def test_the_summary_speaks_the_same_colours(sample2022):
    wb = load_workbook(sample2022[3] / "汇总.xlsx")
    fills = {r[5].value: r[5].fill.fgColor.rgb for r in wb["评估结论"].iter_rows(min_row=2) if r[5].value}
    assert fills == {"是": STATE_FILL["good"], "否": STATE_FILL["bad"]}
    open_ = wb["待整改问题"]
    assert [(r[1].value, r[1].fill.fgColor.rgb) for r in open_.iter_rows(min_row=2)] == [("提示", SEVERITY_FILL["提示"])]


def test_codes_are_kept_for_support_out_of_the_users_sight(marked, sample2022):
    f, feedback = marked
    listing = load_workbook(feedback)["问题清单"]
    assert listing["H2"].value == "代码" and listing.column_dimensions["H"].hidden
    assert {r[7] for r in listing.iter_rows(min_row=3, values_only=True)} == {i["code"] for i in f["issues"]}
    open_ = load_workbook(sample2022[3] / "汇总.xlsx")["待整改问题"]
    assert open_["J1"].value == "代码" and open_.column_dimensions["J"].hidden
    assert open_["J2"].value == "review-date-outside-last-month"  # and in the JSON, as before
    assert all(i["code"] for i in f["issues"])


def test_the_feedback_prints_readably(marked, tmp_path):
    _, feedback = marked
    wb = load_workbook(feedback)
    listing = wb["问题清单"]
    long = next(r for r in listing.iter_rows(min_row=3) if wrapped_lines(r[6].value, 60) > 1)
    assert long[6].alignment.wrap_text and listing.row_dimensions[long[0].row].height > LINE_HEIGHT
    assert wb["名单"].column_dimensions["R"].width >= 12  # 审核日期 as wide as a date prints
    if soffice_path() is None:
        return
    text = pdf_text(docx_to_pdf(feedback, tmp_path))
    assert "###" not in text and "2020-09-25" in text
    flat = re.sub(r"\s+", "", text)
    for i in marked[0]["issues"]:  # every message printed whole, not cut to one line
        assert re.sub(r"\s+", "", i["message"]) in flat, i["code"]


def _median_word_heights(pdf: Path) -> list[float]:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    pages: list[list[float]] = []
    for line in out.splitlines():
        if line.strip().startswith("<page"):
            pages.append([])
        m = re.search(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', line)
        if m:
            pages[-1].append(float(m.group(2)) - float(m.group(1)))
    return [statistics.median(p) for p in pages if p]


@needs_soffice
def test_every_sheet_of_the_summary_prints_readably(sample2022, tmp_path):
    """LibreOffice's PDF: a word of 11-point text is 14.3 pt tall at 100 %; at the 75 % floor 10.7 pt (the sheets
    fitted to one page wide at 3 to 5 points before were 2.5 to 5 pt tall)."""
    summary = tmp_path / "summary.xlsx"
    shutil.copy(sample2022[3] / "汇总.xlsx", summary)
    heights = _median_word_heights(docx_to_pdf(summary, tmp_path))
    assert heights and min(heights) >= 10.5, heights
    wb = load_workbook(summary)
    assert "机构信息" not in wb.sheetnames and "机构信息·部门设置" in wb.sheetnames  # a sheet per table
    for title in ("工作人员名单", "主席团候选人"):  # too wide for one page: split, who the row is repeated
        ws = wb[title]
        assert ws.page_setup.scale == 75 and ws.print_title_cols == "$A:$B" and ws.print_title_rows == "$1:$1"


# ---- 10. wording ---------------------------------------------------------------------------------------------
def test_the_department_hint_only_where_it_applies(marked, env):
    assistant = issue(marked[0], "post-not-allowed")
    assert assistant["value"] == "部长助理" and "所在部门" not in assistant["message"]
    env.roster("石油工程系", [person(post="宣传部", dept="")])
    f = file_report(env.run(), "石油工程系/名单.xlsx")
    assert "部门名称请填在“所在部门”一列" in issue(f, "post-not-allowed")["message"]


def test_date_examples_are_of_the_filing_year(marked, env):
    bad = issue(marked[0], "date-invalid")  # filed in 2026
    assert "2026-10-15" in bad["message"] and "2020" not in bad["message"]
    env.roster("石油工程系", [person(reviewed="2023-02-30")])
    f = file_report(env.run(as_of=date(2023, 11, 1)), "石油工程系/名单.xlsx")
    assert "请写成 2023-10-15、2023年10月15日 或 2023/10/15" in issue(f, "date-invalid")["message"]


def test_period_and_semester_examples_are_of_the_filing_year_too():
    from sureform.issues import make_issue, with_filing_year

    period = with_filing_year(make_issue("publicity-period-invalid", None, "九月"), 2027).message
    assert "或写成 2027年9月7日至2027年9月11日" in period and "2020" not in period
    semester = with_filing_year(make_issue("semester-invalid", None, "秋季"), 2027).message
    assert "请写成 2027-2028学年第一学期" in semester and "2020" not in semester


def test_the_evaluation_window_is_called_what_it_is(sample2022):
    report = sample2022[0]
    hint = issue(file_report(report, "述职评议评分表.xlsx"), "review-date-outside-last-month")["message"]
    assert "（2020年12月15日至2021年1月31日，即学期最后一个月至期末考试结束）" in hint
    assert "的最后一个月（" not in hint


def test_one_heading_for_the_form_in_the_disclosure(sample2020, sample2022):
    texts = docx_text(sample2022[3] / "改革情况公开.docx")
    at = texts.index("一、改革自评表")
    assert texts[at + 1] == "标注“★”为核心指标；" and "改革自评表" not in texts[at + 1:at + 4]
    seed = docx_text(sample2020[1] / "改革情况公开.docx")  # the seed's own: heading, then the form's title
    at = seed.index("一、改革自评表")
    assert seed[at + 1] == "高校学生会组织深化改革评估备案表"


@needs_soffice
def test_no_line_of_the_legend_holds_only_its_end(sample2022, tmp_path):
    layout = pdf_text(docx_to_pdf(sample2022[3] / "备案表.docx", tmp_path), layout=True)
    lines = [line.strip() for line in layout.splitlines() if line.strip()]
    at = next(n for n, line in enumerate(lines) if line.startswith("标注“★”"))
    assert lines[at] == "标注“★”为核心指标；"
    assert lines[at + 1] == "标注“▲”为观测指标，2021—2022 学年暂不作硬性要求。"


# ---- 14. the freshmen under section 四 --------------------------------------------------------------------------
def test_the_share_says_the_freshmen_have_no_rank_yet(sample2020):
    report, outbox = sample2020
    assert report["disclosure"]["最近1学年综合排名进入专业前30%的比例"] == "91.38%"  # the seed's figure, kept
    text = docx_text(outbox / "改革情况公开.docx")
    at = next(n for n, t in enumerate(text) if t == "91.38%")
    assert "注：比例按全部工作人员 58 人计算，其中一年级新生 5 人尚无综合排名。" in text[at:at + 4]
    assert "尚无综合排名" not in "".join(docx_text(outbox / "备案表.docx"))


def test_the_freshmen_note_is_counted_not_written_in(env):
    rows = [person(name="甲", sid="2026010101", year=2026, rank=""), person(name="乙", sid="2026010102", year=2026, rank=""),
            person(name="丙", sid="2024010103")]
    write_xlsx(env.inbox / "石油工程系" / "名单.xlsx", [HEADER, *rows])
    env.run()
    text = "".join(docx_text(env.outbox / "改革情况公开.docx"))
    assert "注：比例按全部工作人员 3 人计算，其中一年级新生 2 人尚无综合排名。" in text
    write_xlsx(env.inbox / "石油工程系" / "名单.xlsx", [HEADER, rows[2]])
    env.run()
    assert "尚无综合排名" not in "".join(docx_text(env.outbox / "改革情况公开.docx"))
