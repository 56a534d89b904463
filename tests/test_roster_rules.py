"""Every roster error and finding code, asserted by code and cell, and how each decides the file's fate."""
from datetime import date

import pytest
from conftest import AS_OF, HEADER, codes, file_report, issue, person

REL = "石油工程系/名单.xlsx"
# columns of HEADER: A 姓名, B 学号, C 院系, D 入学年份, E 政治面貌, F 职务, G 所在部门, H 成绩排名, I 不及格门数


def run_rows(env, rows, as_of=AS_OF):
    env.roster("石油工程系", rows)
    return file_report(env.run(as_of), REL)


@pytest.mark.parametrize("row, code, cell", [
    (person(post="秘书长"), "post-not-allowed", "F2"),
    (person(political="群众"), "political-status-not-allowed", "E2"),
    (person(rank="20/45"), "rank-above-limit", "H2"),
    (person(failed=1), "failed-course", "I2"),
    (person(rank=""), "rank-missing", "H2"),
])
def test_findings_keep_the_file(env, row, code, cell):
    f = run_rows(env, [row])
    assert f["status"] == "accepted"
    i = issue(f, code)
    assert (i["severity"], i["cell"], i["row"], i["sheet"]) == ("finding", cell, 2, "Sheet1")
    assert i["message"]


def test_discipline_record_is_a_finding(env):
    header = HEADER + ["违纪情况"]
    env.roster("石油工程系", [person() + ["警告处分"]], header=header)
    f = file_report(env.run(), REL)
    assert f["status"] == "accepted" and issue(f, "discipline-record")["cell"] == "L2"


def test_thirty_percent_itself_passes(env):
    f = run_rows(env, [person(rank="3/10")])
    assert codes(f) == []


@pytest.mark.parametrize("row, code, cell", [
    (person(sid="12-34"), "student-id-invalid", "B2"),
    (person(sid=2.02101e+17), "student-id-precision-lost", "B2"),
    (person(reviewed="2026-13-45"), "date-invalid", "K2"),
    (person(year="大二"), "year-invalid", "D2"),
    (person(rank="良好"), "rank-invalid", "H2"),
    (person(rank="50/45"), "rank-exceeds-size", "H2"),
    (person(failed="两门"), "number-invalid", "I2"),
    (person(name=""), "value-missing", "A2"),
    (person(post=""), "value-missing", "F2"),
])
def test_errors_reject_the_whole_file(env, row, code, cell):
    f = run_rows(env, [person(name="李四", sid="2024010199"), row])
    assert f["status"] == "rejected"
    i = issue(f, code)
    assert (i["severity"], i["cell"], i["row"]) == ("error", cell.replace("2", "3"), 3)
    assert env.run()["master"].get("roster", 0) == 0  # nothing of a rejected file enters the master


def test_duplicate_person_in_one_file(env):
    f = run_rows(env, [person(), person(name="张三丰")])
    assert f["status"] == "rejected"
    i = issue(f, "student-id-duplicated")
    assert i["cell"] == "B3" and "2" in i["message"]


def test_unparseable_cell_is_not_also_reported_empty(env):
    f = run_rows(env, [person(sid="12-34")])
    assert codes(f) == ["student-id-invalid"]


def test_freshman_decided_by_as_of(env):
    # 2026级 has no rank yet: exempt while 2026 is the freshman year, a finding a year later
    f = run_rows(env, [person(year=2026, rank="")], as_of=date(2026, 11, 24))
    assert codes(f) == []
    env.roster("石油工程系", [person(year=2026, rank="", name="改")])
    f = file_report(env.run(date(2027, 10, 1)), REL)
    assert codes(f) == ["rank-missing"]


def test_freshman_rank_above_limit_is_exempt(env):
    f = run_rows(env, [person(year=2026, rank="40/45")])
    assert codes(f) == []


def test_graduate_students_only_need_no_failed_course(env):
    header = HEADER + ["学历层次"]
    env.roster("石油工程系", [person(rank="40/45") + ["研究生"]], header=header)
    f = file_report(env.run(), REL)
    assert codes(f) == []


def test_person_on_two_units_rosters(env):
    env.roster("石油工程系", [person(sid="2024010101")])
    env.roster("机电工程系", [person(sid="2024010101", unit="机电工程系")])
    report = env.run()
    mech = file_report(report, "机电工程系/名单.xlsx")
    oil = file_report(report, REL)
    assert mech["status"] == oil["status"] == "accepted"
    i = issue(mech, "person-on-two-rosters")
    assert i["severity"] == "finding" and i["cell"] == "B2"
    # no oracle: the unit is told nothing of the other unit, its file or the person's name there
    assert i["message"].startswith("该学号已出现在其他单位的名单中，请与校团委核实")
    assert "石油工程系" not in i["message"] and "张三" not in i["message"]
    # the league office's 汇总.xlsx keeps the detail: which unit, which file
    from openpyxl import load_workbook

    ws = load_workbook(env.outbox / "汇总.xlsx")["待整改问题"]
    details = [r for r in ws.iter_rows(values_only=True) if "person-on-two-rosters-detail" in r]
    assert details and any("石油工程系/名单.xlsx" in str(v) for r in details for v in r)


def test_unit_from_column_when_file_at_root(env):
    from conftest import write_xlsx

    write_xlsx(env.inbox / "名单.xlsx", [HEADER, person(unit="化学工程系")])
    (env.inbox / "化学工程系").mkdir()  # a known 系: it has its folder
    f = file_report(env.run(), "名单.xlsx")
    assert (f["status"], f["unit"]) == ("accepted", "化学工程系")


def test_a_file_at_root_whose_unit_is_not_known_asks_for_the_folder(env):
    from conftest import write_xlsx

    write_xlsx(env.inbox / "名单.xlsx", [HEADER, person(unit="化学工程系")])
    f = file_report(env.run(), "名单.xlsx")
    assert f["status"] == "rejected" and codes(f) == ["unit-not-known"] and f["unit"] is None
    assert "inbox/化学工程系/" in f["issues"][0]["message"]


def test_unit_unknown_is_an_error(env):
    from conftest import write_xlsx

    header = [h for h in HEADER if h != "院系"]
    write_xlsx(env.inbox / "名单.xlsx", [header, [v for h, v in zip(HEADER, person()) if h != "院系"]])
    f = file_report(env.run(), "名单.xlsx")
    assert f["status"] == "rejected" and codes(f) == ["unit-unknown"]


def test_a_院系_naming_another_unit_is_an_error(env):
    f = run_rows(env, [person(unit="机电工程系")])
    assert f["status"] == "rejected"
    i = issue(f, "unit-mismatch")
    assert (i["severity"], i["cell"]) == ("error", "C2")


def test_political_status_aliases_are_accepted(env):
    f = run_rows(env, [person(political="团员"), person(political="预备党员", sid="2024010102"),
                       person(political="党员", sid="2024010103")])
    assert codes(f) == []


def test_student_id_typed_as_number_that_lost_its_leading_zero(env):
    f = run_rows(env, [person(sid="0123004561"), person(sid=123004562.0, name="李四"),
                       person(sid="0123004563", name="王五")])
    assert f["status"] == "accepted"
    i = issue(f, "student-id-leading-zero-lost")
    assert (i["severity"], i["cell"], i["value"]) == ("finding", "B3", "123004562")
    assert codes(f) == ["student-id-leading-zero-lost"]
