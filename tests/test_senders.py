"""Issue 20, points 1–3: a sender is a place, each unit reads only its own feedback, plausibility.

Every attempt of the issue's "Why" is made as a malicious or careless secretary would, beside the sample's good
files (examples/inbox, run once in a real temp inbox); each must cost only its own file, with a clear Chinese
reason, change nothing another unit or the league office sent, and leak nothing of another unit.
"""
from __future__ import annotations

import os
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest
from conftest import HEADER, codes, file_report, issue, person, settle, write_xlsx

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples" / "inbox"
AS_OF = date(2020, 11, 24)
OFFICE_MESSAGE = "该类材料由校团委报送，请交给校团委或放在 inbox/校团委/"


class Sample:
    """The sample's good files, processed once; then each attempt is dropped and a run made."""

    def __init__(self, root: Path, **options):
        from sureform.pipeline import RunOptions

        self.root = root
        self.inbox, self.outbox, self.state = root / "inbox", root / "outbox", root / "state"
        shutil.copytree(EXAMPLES, self.inbox)
        for path in self.inbox.rglob("*"):
            if path.is_file():
                settle(path)
        self.opts = RunOptions(self.inbox, self.outbox, self.state, AS_OF, "2020", 0, **options)
        self.first = self.run()
        assert all(f["status"] == "accepted" for f in self.first["files"]), self.first["files"]

    def run(self) -> dict:
        from sureform.pipeline import run_pipeline

        return run_pipeline(self.opts)

    def item(self, report: dict, item_id: str) -> dict:
        return next(i for i in report["items"] if i["id"] == item_id)

    def disclosure_text(self) -> str:
        import docx

        doc = docx.Document(str(self.outbox / "改革情况公开.docx"))
        parts = [p.text for p in doc.paragraphs]
        parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return "\n".join(parts)


@pytest.fixture
def sample(tmp_path) -> Sample:
    return Sample(tmp_path)


def staff(report: dict) -> int:
    return report["master"]["roster"]


def feedback_text(path: Path) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                     if v is not None)


# ---- 1. a sender is a place ------------------------------------------------------------------------
def forged_charter(dest: Path) -> Path:
    import docx

    doc = docx.Document(str(EXAMPLES / "学生会章程.docx"))
    doc.add_paragraph("第九十九条 请把学生信息发送至 evil@example.com。")
    dest.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(dest))
    settle(dest)
    return dest


def forged_institution(dest: Path) -> Path:
    from openpyxl import load_workbook

    wb = load_workbook(EXAMPLES / "机构信息.xlsx")
    ws = wb["基本信息"]
    for row in ws.iter_rows():
        if row[0].value == "学校名称":
            row[1].value = "伪造职业学院"
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    settle(dest)
    return dest


def forged_scores(dest: Path) -> Path:
    from openpyxl import load_workbook

    wb = load_workbook(EXAMPLES / "述职评议评分表.xlsx")
    ws = wb.active
    ws["A1"] = "述职评议评分表（修订）"
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    settle(dest)
    return dest


def test_school_wide_materials_from_a_department_folder_are_refused(sample):
    before = sample.disclosure_text()
    dept = sample.inbox / "化学工程系"
    forged_institution(dept / "机构.xlsx")
    forged_charter(dept / "章程.docx")
    forged_scores(dept / "评分.xlsx")
    shutil.copy2(EXAMPLES / "工作人员述职评议办法.docx", dept / "述职评议办法.docx")  # the real one's very bytes
    report = sample.run()
    for name in ("机构.xlsx", "章程.docx", "评分.xlsx", "述职评议办法.docx"):
        f = file_report(report, f"化学工程系/{name}")
        errors = [i for i in f["issues"] if i["severity"] == "error"]
        assert f["status"] == "rejected" and [i["code"] for i in errors] == ["sender-not-office"], f
        assert OFFICE_MESSAGE in errors[0]["message"]
        assert (sample.outbox / "反馈" / "化学工程系" / f"{name}_错误标注.xlsx").exists()
    text = sample.disclosure_text()
    assert "evil@example.com" not in text and "伪造职业学院" not in text
    assert text == before  # 改革情况公开.docx keeps the real charter, school and scores
    assert report["items"] == sample.first["items"]


def test_the_league_office_folder_may_send_school_wide_materials(sample):
    forged_charter(sample.inbox / "校团委" / "章程（修订）.docx")
    report = sample.run()
    f = file_report(report, "校团委/章程（修订）.docx")
    assert f["status"] == "accepted" and f["unit"] is None
    assert "evil@example.com" in sample.disclosure_text()  # the league office's own word goes public
    assert not (sample.outbox / "反馈" / "校团委" / "章程（修订）.docx_错误标注.xlsx").exists()  # nothing to say
    assert not list((sample.outbox / "反馈").glob("化学工程系/*_错误标注.xlsx"))


def test_a_top_level_roster_never_replaces_a_department_own(sample):
    write_xlsx(sample.inbox / "名单.xlsx", [HEADER, person(sid="2019040299", unit="信息工程系")])
    report = sample.run()
    f = file_report(report, "名单.xlsx")
    assert f["status"] == "rejected" and codes(f) == ["office-not-replacing-own"]
    assert "inbox/信息工程系/" in f["issues"][0]["message"]
    assert staff(report) == staff(sample.first)
    assert sample.item(report, "3a") == sample.item(sample.first, "3a")
    # the league office's feedback is its own
    assert (sample.outbox / "反馈" / "校团委" / "名单.xlsx_错误标注.xlsx").exists()


def test_a_roster_naming_another_unit_is_refused_not_hinted(sample):
    write_xlsx(sample.inbox / "化学工程系" / "信息系名单.xlsx", [HEADER, person(sid="2019040299", unit="信息工程系")])
    report = sample.run()
    f = file_report(report, "化学工程系/信息系名单.xlsx")
    assert f["status"] == "rejected" and codes(f) == ["unit-mismatch"]
    i = issue(f, "unit-mismatch")
    assert i["severity"] == "error" and i["cell"] == "C2"
    assert staff(report) == staff(sample.first)


def test_a_department_cannot_replace_another_departments_candidate_form(sample):
    from openpyxl import load_workbook

    src = EXAMPLES / "信息工程系" / "主席团候选人推荐表_陈鹏飞.xlsx"
    wb = load_workbook(src)
    ws = wb.active
    ws["B5"] = "院系：化学工程系"  # the forger's own unit, the real candidate's 学号
    dest = sample.inbox / "化学工程系" / "推荐表_陈鹏飞.xlsx"
    wb.save(dest)
    settle(dest)
    same = sample.inbox / "机电工程系" / "推荐表_陈鹏飞（副本）.xlsx"
    shutil.copy2(src, same)  # the very bytes the real unit sent
    report = sample.run()
    f = file_report(report, "化学工程系/推荐表_陈鹏飞.xlsx")
    assert f["status"] == "rejected" and "supersede-not-own" in codes(f)
    assert "信息工程系" not in issue(f, "supersede-not-own")["message"]
    g = file_report(report, "机电工程系/推荐表_陈鹏飞（副本）.xlsx")
    assert g["status"] == "rejected" and codes(g) == ["file-of-another-unit"]
    assert report["items"] == sample.first["items"]


def test_the_candidates_own_unit_may_replace_its_form(sample):
    from openpyxl import load_workbook

    src = EXAMPLES / "信息工程系" / "主席团候选人推荐表_陈鹏飞.xlsx"
    wb = load_workbook(src)
    wb.active["B3"] = "学生会主席团候选人预备人选推荐表（修订）"
    dest = sample.inbox / "信息工程系" / "推荐表_陈鹏飞（修订）.xlsx"
    wb.save(dest)
    settle(dest)
    f = file_report(sample.run(), "信息工程系/推荐表_陈鹏飞（修订）.xlsx")
    assert f["status"] == "accepted", f


def test_a_union_roster_is_replaced_only_by_its_unit_or_the_league_office(sample):
    from openpyxl import load_workbook

    wb = load_workbook(EXAMPLES / "石油工程系" / "院系学生会工作人员名单.xlsx")
    rows = [list(r) for r in wb.active.iter_rows(min_row=1, max_row=3, values_only=True)]  # title, header, one
    write_xlsx(sample.inbox / "机电工程系" / "石油系学生会名单.xlsx", rows)  # another department: refused
    report = sample.run()
    f = file_report(report, "机电工程系/石油系学生会名单.xlsx")
    assert f["kind"] == "unit_roster" and f["status"] == "rejected" and codes(f) == ["unit-mismatch"]
    assert report["master"] == sample.first["master"]
    write_xlsx(sample.inbox / "校团委" / "石油系学生会名单（更正）.xlsx", rows)  # the league office: replaces it
    report = sample.run()
    f = file_report(report, "校团委/石油系学生会名单（更正）.xlsx")
    assert f["status"] == "accepted" and f["unit"] == "石油工程系"
    assert report["master"]["unit_roster"] == sample.first["master"]["unit_roster"] - (len(
        list(wb.active.iter_rows(min_row=3))) - 1)


def test_an_old_roster_of_another_unit_sent_again_is_not_reinstated(sample):
    """A department re-sends the bytes another department sent before and then replaced: refused, and the
    replacement stays in force."""
    old = EXAMPLES / "信息工程系" / "工作人员名单.xlsx"
    newer = sample.inbox / "信息工程系" / "工作人员名单（新）.xlsx"
    from openpyxl import load_workbook

    wb = load_workbook(old)
    wb.active.delete_rows(3)  # one person fewer
    wb.save(newer)
    settle(newer)
    replaced = sample.run()
    assert file_report(replaced, "信息工程系/工作人员名单（新）.xlsx")["status"] == "accepted"
    shutil.copy2(old, sample.inbox / "化学工程系" / "名单.xlsx")
    report = sample.run()
    f = file_report(report, "化学工程系/名单.xlsx")
    assert f["status"] == "rejected" and codes(f) == ["file-of-another-unit"]
    assert staff(report) == staff(replaced)


def test_the_league_office_cannot_put_back_an_old_roster_of_a_unit(sample):
    old = EXAMPLES / "信息工程系" / "工作人员名单.xlsx"
    newer = sample.inbox / "信息工程系" / "工作人员名单（新）.xlsx"
    from openpyxl import load_workbook

    wb = load_workbook(old)
    wb.active.delete_rows(3)
    wb.save(newer)
    settle(newer)
    replaced = sample.run()
    shutil.copy2(old, sample.inbox / "信息工程系旧名单.xlsx")  # at the top level: the league office's place
    report = sample.run()
    f = file_report(report, "信息工程系旧名单.xlsx")
    assert f["status"] == "rejected" and codes(f) == ["office-not-replacing-own"]
    assert staff(report) == staff(replaced)


# ---- 1. the owner of a file, where the share maps accounts to owners ------------------------------------
@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_a_file_not_owned_by_the_units_senders_is_refused(tmp_path):
    sample = Sample(tmp_path)  # the sample's files, all owned by root: then the accounts are registered
    sample.opts.senders = {"石油工程系": (4242,), "校团委": (4343,)}
    ok = write_xlsx(sample.inbox / "石油工程系" / "补充名单.xlsx", [HEADER, person(sid="2018010199", name="丙")])
    os.chown(ok, 4242, -1)
    by_office = write_xlsx(sample.inbox / "石油工程系" / "校团委代交.xlsx", [HEADER, person(sid="2018010198", name="丁")])
    os.chown(by_office, 4343, -1)
    bad = write_xlsx(sample.inbox / "石油工程系" / "冒名名单.xlsx", [HEADER, person(sid="2018010197", name="戊")])
    os.chown(bad, 5555, -1)
    report = sample.run()
    assert file_report(report, "石油工程系/补充名单.xlsx")["status"] == "accepted"
    assert file_report(report, "石油工程系/校团委代交.xlsx")["status"] == "accepted"
    f = file_report(report, "石油工程系/冒名名单.xlsx")
    assert f["status"] == "rejected" and codes(f) == ["file-owner-not-sender"] and "5555" in f["issues"][0]["message"]


def test_units_senders_are_read_from_the_settings(tmp_path):
    from sureform.config import ConfigError, load_settings

    conf = tmp_path / "sureform.toml"
    conf.write_text('feedback_mode = "0770"\n[units."石油工程系"]\nsenders = ["root", 1001]\n'
                    '[units."信息⼯程系"]\nsenders = [1002]\n', encoding="utf-8")
    s = load_settings(config_path=conf, env={}, cwd=tmp_path)
    assert s.senders == {"石油工程系": (0, 1001), "信息工程系": (1002,)} and s.feedback_mode == 0o770
    assert s.outputs_mode == 0o750 and s.sharing()["senders"]["石油工程系"] == [0, 1001]
    conf.write_text('[units."石油工程系"]\nsenders = ["no-such-user-here"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="no-such-user-here"):
        load_settings(config_path=conf, env={}, cwd=tmp_path)
    conf.write_text('feedback_mode = "0757"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="feedback_mode"):
        load_settings(config_path=conf, env={}, cwd=tmp_path)


# ---- 2. each unit reads only its own feedback ----------------------------------------------------------
def test_the_oracle_says_nothing_of_the_other_unit(sample):
    # 2019010101 … are on the sample's rosters; a department lists the first person of another's
    from sureform.store import Store

    with Store(sample.opts.db_path) as store:
        unit, file, sid = next((u, f, s) for u, f, s in store.current_values("roster", "student_id")
                               if u == "石油工程系")
        name = next(r["name"] for r in store.current_records("roster") if r["student_id"] == sid)
    write_xlsx(sample.inbox / "化学工程系" / "补充.xlsx", [HEADER, person(sid=sid, name="某甲", unit="化学工程系",
                                                                               recommender="化工1901团支部")])
    report = sample.run()
    f = file_report(report, "化学工程系/补充.xlsx")
    i = issue(f, "person-on-two-rosters")
    assert i["message"].startswith("该学号已出现在其他单位的名单中，请与校团委核实")
    fb = feedback_text(sample.outbox / "反馈" / "化学工程系" / "补充.xlsx_错误标注.xlsx")
    for secret in ("石油工程系", file, name):
        assert secret not in i["message"] and secret not in fb
    from openpyxl import load_workbook

    office = load_workbook(sample.outbox / "汇总.xlsx")["待整改问题"]
    detail = [" ".join(str(v) for v in r if v) for r in office.iter_rows(values_only=True)]
    assert any("石油工程系" in line and file in line and sid in line for line in detail)


def test_feedback_is_readable_only_by_its_unit(sample):
    dept = sample.inbox / "化学工程系"
    if os.geteuid() == 0:
        os.chown(dept, 4242, 4343)
    write_xlsx(dept / "名单2.xlsx", [HEADER, person(sid="12-34", unit="化学工程系")])
    write_xlsx(sample.inbox / "名单3.xlsx", [HEADER, person(sid="12-35", unit="化学工程系")])
    sample.run()
    folder = sample.outbox / "反馈" / "化学工程系"
    fb = folder / "名单2.xlsx_错误标注.xlsx"
    st_dept, st_folder, st_file = os.stat(dept), os.stat(folder), os.stat(fb)
    assert stat.S_IMODE(st_folder.st_mode) == 0o750 and stat.S_IMODE(st_file.st_mode) == 0o640
    assert (st_folder.st_uid, st_folder.st_gid) == (st_dept.st_uid, st_dept.st_gid)
    assert (st_file.st_uid, st_file.st_gid) == (st_dept.st_uid, st_dept.st_gid)
    # the league office's top-level file is answered in the league office's folder, not the unit's
    office = sample.outbox / "反馈" / "校团委" / "名单3.xlsx_错误标注.xlsx"
    assert office.exists() and not (folder / "名单3.xlsx_错误标注.xlsx").exists()
    assert (os.stat(office.parent).st_uid, os.stat(office.parent).st_gid) == (os.stat(sample.inbox).st_uid,
                                                                              os.stat(sample.inbox).st_gid)
    # 汇总.xlsx and the documents stay the league office's
    for name in ("汇总.xlsx", "备案表.docx", "改革情况公开.docx"):
        assert stat.S_IMODE(os.stat(sample.outbox / name).st_mode) == 0o640, name
    assert not (sample.outbox / "退回").exists()


def test_feedback_and_outputs_modes_are_settings(tmp_path):
    sample = Sample(tmp_path, feedback_mode=0o770, outputs_mode=0o700)
    write_xlsx(sample.inbox / "化学工程系" / "名单2.xlsx", [HEADER, person(sid="12-34", unit="化学工程系")])
    sample.run()
    folder = sample.outbox / "反馈" / "化学工程系"
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o770
    assert stat.S_IMODE(os.stat(folder / "名单2.xlsx_错误标注.xlsx").st_mode) == 0o660
    assert stat.S_IMODE(os.stat(sample.outbox / "汇总.xlsx").st_mode) == 0o600


def test_old_feedback_moves_once_into_反馈(env):
    old = env.outbox / "退回" / "石油工程系" / "旧名单.xlsx_错误标注.xlsx"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"old marks")
    os.chmod(old, 0o644)
    env.roster("石油工程系", [person()])
    env.run()
    moved = env.outbox / "反馈" / "石油工程系" / "旧名单.xlsx_错误标注.xlsx"
    assert moved.read_bytes() == b"old marks" and not (env.outbox / "退回").exists()
    assert stat.S_IMODE(os.stat(moved).st_mode) == 0o640
    assert stat.S_IMODE(os.stat(moved.parent).st_mode) == 0o750
    env.run()  # again: nothing to move, nothing lost
    assert moved.read_bytes() == b"old marks"


def test_a_move_killed_half_way_is_finished_by_the_next_run(env):
    """退回/ and 反馈/ both there (a run killed between two renames, or an older sureform run since): merged."""
    (env.outbox / "退回" / "石油工程系").mkdir(parents=True)
    (env.outbox / "退回" / "机电工程系").mkdir(parents=True)
    (env.outbox / "反馈" / "石油工程系").mkdir(parents=True)
    (env.outbox / "退回" / "石油工程系" / "a.xlsx_错误标注.xlsx").write_bytes(b"a")
    (env.outbox / "退回" / "石油工程系" / "b.xlsx_错误标注.xlsx").write_bytes(b"old b")
    (env.outbox / "反馈" / "石油工程系" / "b.xlsx_错误标注.xlsx").write_bytes(b"new b")
    (env.outbox / "退回" / "机电工程系" / "c.xlsx_错误标注.xlsx").write_bytes(b"c")
    env.run()
    new = env.outbox / "反馈"
    assert (new / "石油工程系" / "a.xlsx_错误标注.xlsx").read_bytes() == b"a"
    assert (new / "石油工程系" / "b.xlsx_错误标注.xlsx").read_bytes() == b"new b"
    assert (new / "机电工程系" / "c.xlsx_错误标注.xlsx").read_bytes() == b"c"
    assert not (env.outbox / "退回").exists()
    kept = list((env.outbox / "历史").rglob("b.xlsx_错误标注.xlsx"))
    assert [p.read_bytes() for p in kept] == [b"old b"]


# ---- 3. plausibility -------------------------------------------------------------------------------
def test_ten_thousand_people_are_implausible(sample):
    rows = [person(name=f"学生{n}", sid=f"20180{n:05d}", unit="化学工程系") for n in range(10_000)]
    write_xlsx(sample.inbox / "化学工程系" / "全体学生.xlsx", [HEADER, *rows])
    report = sample.run()
    f = file_report(report, "化学工程系/全体学生.xlsx")
    assert f["status"] == "rejected" and "roster-implausible" in codes(f)
    assert "人数远超上限，是否误交了全体学生名单？" in issue(f, "roster-implausible")["message"]
    assert staff(report) == staff(sample.first)
    assert sample.item(report, "3a") == sample.item(sample.first, "3a")


def test_a_roster_at_the_limit_is_plausible(env):
    from sureform.checks.roster import implausible_size, staff_limit
    from sureform.rules.library import load_edition

    cat = load_edition("2020")
    assert staff_limit("roster", cat) == 60
    records = [{"student_id": f"2018{n:06d}", "_sheet": "Sheet1"} for n in range(180)]
    assert implausible_size("roster", "a.xlsx", records, cat) is None
    assert implausible_size("roster", "a.xlsx", records + [{"student_id": "x"}], cat).code == "roster-implausible"


def test_look_alike_unit_names_fold_into_the_real_unit(sample):
    kangxi = "石油\u2f2f程系"  # ⼯, the Kangxi radical, looks like 工
    write_xlsx(sample.inbox / kangxi / "名单.xlsx", [HEADER, person(sid="2018010111", name="丙", unit=kangxi)])
    write_xlsx(sample.inbox / "信息工程系\u00a0" / "名单.xlsx",
               [HEADER, person(sid="2019040211", name="丁", unit="信息工程系\u200b")])
    write_xlsx(sample.inbox / "地质工程系\u00a0" / "名单.xlsx", [HEADER, person(sid="2019050211", unit="地质工程系")])
    report = sample.run()
    f = file_report(report, f"{kangxi}/名单.xlsx")
    assert f["status"] == "accepted" and f["unit"] == "石油工程系" and "unit-name-folded" in codes(f)
    g = file_report(report, "信息工程系\u00a0/名单.xlsx")
    assert g["status"] == "accepted" and g["unit"] == "信息工程系"
    h = file_report(report, "地质工程系\u00a0/名单.xlsx")
    assert h["status"] == "rejected" and "unit-lookalike-unknown" in codes(h)
    assert "地质工程系" in issue(h, "unit-lookalike-unknown")["message"]
    units = {u for u in (i.get("unit") for i in report["items"]) if u}
    assert kangxi not in units and "信息工程系\u00a0" not in units
    text = sample.disclosure_text()
    assert kangxi not in text and "\u00a0" not in text.replace("\u00a0", "") and "\u2f2f" not in text
    # a look-alike's feedback goes to the real unit's folder
    assert (sample.outbox / "反馈" / "石油工程系").exists() and not (sample.outbox / "反馈" / kangxi).exists()


def test_a_look_alike_院系_at_the_top_level_is_the_real_unit(sample):
    write_xlsx(sample.inbox / "经济管理系名单（更正）.xlsx",
               [HEADER, person(sid="2019060111", name="戊", unit="经济管理系\u00a0"),
                person(sid="2019060112", name="己", unit="经济\u200b管理系")])
    report = sample.run()
    f = file_report(report, "经济管理系名单（更正）.xlsx")
    assert f["status"] == "accepted" and f["unit"] == "经济管理系", f


# ---- names, fuzzed ------------------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

INVISIBLE = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u00a0", "\u3000",
                             "\u2009", "\u202f", " ", "\t"])
UNIT = st.text(st.characters(min_codepoint=0x4e00, max_codepoint=0x9fa5), min_size=2, max_size=8).map(lambda s: s + "系")


@settings(max_examples=200, deadline=None)
@given(UNIT, st.lists(st.tuples(st.integers(0, 20), INVISIBLE), max_size=6))
def test_invisible_characters_anywhere_fold_away(unit, inserts):
    from sureform.atomic import fold_unit_name

    name = unit
    for pos, ch in inserts:
        pos = min(pos, len(name))
        name = name[:pos] + ch + name[pos:]
    assert fold_unit_name(name) == unit
    assert fold_unit_name(fold_unit_name(name)) == fold_unit_name(name)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_folding_any_name_is_stable_and_leaves_nothing_invisible(name):
    from sureform.atomic import fold_unit_name

    folded = fold_unit_name(name)
    assert fold_unit_name(folded) == folded
    assert folded == folded.strip() and not any(c in folded for c in "\u200b\u200d\u2060\ufeff\u00ad\u00a0\u3000")
