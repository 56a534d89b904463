"""What a person at a terminal reads (issue 19 points 8 and 10, issue 20 point 7): a Chinese argparse, `editions
show` in words at 80 columns, the run's report fitted to 60, 80 and 120 columns (paths broken at their `/`, counts
with their units, 备注 wrapped), and no control character or markup from a file name reaching a terminal or a log.
The report is a real run's: the sample inbox, with hostile file names beside it, through the real `sureform`."""
from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from conftest import HEADER, person, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "inbox"
# a title change, a bell, a screen clear; markup; a bidi override; a line break
TITLE_AND_CLEAR = "\x1b]2;pwned\x07\x1b[2J名单.xlsx"
MARKUP = "[red]退回[bold]名单.xlsx"
BIDI = "\u202e名单xslx.xlsx"
NEWLINE = "名单\n伪造的一行：已接收.xlsx"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # a newline ends a line: allowed


def sample_inbox(root: Path) -> Path:
    inbox = root / "inbox"
    shutil.copytree(SAMPLE, inbox)
    bad = [HEADER, person(sid="12-34")]  # 学号 not a 学号: an error, the file is refused and gets its feedback
    for name in (TITLE_AND_CLEAR, MARKUP, BIDI, NEWLINE):
        write_xlsx(inbox / "石油工程系" / name, bad)
    return inbox


def sureform(root: Path, *args: str, columns: int = 80, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SUREFORM_"))}
    environ.update(COLUMNS=str(columns), LINES="50", **env)
    return subprocess.run([sys.executable, "-m", "sureform.cli", *args], cwd=root, env=environ, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """The sample run under the 2022 edition, once as JSON, once as the terminal shows it (80 columns)."""
    runs = {}
    for mode in ("json", "terminal"):
        root = tmp_path_factory.mktemp(mode)
        sample_inbox(root)
        proc = sureform(root, "run", "--as-of", "2020-11-24", "--settle", "0", "--edition", "2022",
                        *(["--json"] if mode == "json" else []))
        assert proc.returncode == 0, proc.stderr
        runs[mode] = proc
    return json.loads(runs["json"].stdout), runs["terminal"]


def render(report: dict, width: int) -> list[str]:
    from sureform.outputs.terminal import print_report

    console = Console(file=io.StringIO(), width=width, color_system=None, emoji=False, record=True)
    print_report(report, console)
    return console.export_text().splitlines()


# ---- control characters and markup (issue 20 point 7) ------------------------------------------------------
def test_printable_escapes_every_control_character():
    from sureform.atomic import printable

    assert printable(TITLE_AND_CLEAR) == "\\x1b]2;pwned\\x07\\x1b[2J名单.xlsx"
    assert printable("a\rb\tc\nd\x00e\x7ff\x85g\x9bh") == "a\\x0db\\x09c\\x0ad\\x00e\\x7ff\\x85g\\x9bh"
    assert printable(BIDI) == "\\u202e名单xslx.xlsx"
    assert printable("\u2066x\u2069\u200f\ufeff\u2028") == "\\u2066x\\u2069\\u200f\\ufeff\\u2028"
    assert printable("名单\udcb9.xlsx") == "名单\ufffd.xlsx"  # a name that was not UTF-8
    assert printable("石油工程系/工作人员名单（修订）.xlsx") == "石油工程系/工作人员名单（修订）.xlsx"


def test_the_terminal_shows_hostile_names_escaped_and_markup_as_written(sample_run):
    _, terminal = sample_run
    out, err = terminal.stdout, terminal.stderr
    assert not RAW.search(out) and not RAW.search(err)
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    text = "".join(line.strip() for line in lines)
    assert "\\x1b]2;pwned\\x07\\x1b[2J名单.xlsx" in text  # the path column may break the name, never its escapes
    assert "[red]退回[bold]名单.xlsx" in text and "\\u202e名单xslx.xlsx" in text
    assert "名单\\x0a伪造的一行：已接收.xlsx" in text
    assert not any(line.startswith("伪造的一行") for line in lines)  # no forged line


def test_the_json_keeps_the_names_as_they_are(sample_run):
    report, _ = sample_run
    paths = {f["path"] for f in report["files"]}
    assert {f"石油工程系/{n}" for n in (TITLE_AND_CLEAR, MARKUP, BIDI, NEWLINE)} <= paths
    bad = next(f for f in report["files"] if f["path"] == f"石油工程系/{TITLE_AND_CLEAR}")
    assert bad["status"] == "rejected" and [i["code"] for i in bad["issues"]] == ["student-id-invalid"]


def test_log_lines_escape_names_and_are_in_beijing_time():
    from sureform.cli import LogFormatter, OwnLinesFilter

    record = logging.LogRecord("sureform.serve", logging.INFO, __file__, 1, "%s：已接收，%d 人",
                               (f"石油工程系/{TITLE_AND_CLEAR}", 12), None)
    record.created = datetime(2026, 12, 4, 19, 13, 20, tzinfo=timezone.utc).timestamp()  # 03:13:20 the 5th in Beijing
    assert LogFormatter().format(record) == "2026-12-05 03:13:20 石油工程系/\\x1b]2;pwned\\x07\\x1b[2J名单.xlsx：已接收，12 人"
    warning = logging.LogRecord("sureform.watch", logging.WARNING, __file__, 1, "收不到通知", (), None)
    warning.created = record.created
    assert LogFormatter().format(warning) == "2026-12-05 03:13:20 警告：收不到通知"

    prefect = logging.LogRecord("prefect.task_runs", logging.INFO, __file__, 1, "Finished in state Completed()", (),
                                None)
    sureform_logger = logging.getLogger("sureform")
    level = sureform_logger.level
    try:
        sureform_logger.setLevel(logging.INFO)
        assert not OwnLinesFilter().filter(prefect) and OwnLinesFilter().filter(record)
        sureform_logger.setLevel(logging.DEBUG)
        assert OwnLinesFilter().filter(prefect)
        prefect.created = record.created
        assert LogFormatter().format(prefect) == "2026-12-05 03:13:20 prefect.task_runs：Finished in state Completed()"
    finally:
        sureform_logger.setLevel(level)


def test_a_traceback_quoting_a_name_is_escaped_too(tmp_path):
    code = ("import threading; from sureform.cli import setup_logging; setup_logging()\n"
            "def fail(name): raise ValueError(name)\n"
            "t = threading.Thread(target=fail, args=('\\x1b]2;pwned\\x07名单.xlsx',)); t.start(); t.join()\n"
            "fail('\\x1b[2J名单.xlsx')\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and not RAW.search(proc.stderr), proc.stderr
    assert "ValueError: \\x1b[2J名单.xlsx" in proc.stderr and "ValueError: \\x1b]2;pwned\\x07名单.xlsx" in proc.stderr


def test_the_lock_holder_is_described_in_beijing_time():
    from sureform.runlock import describe

    holder = {"what": "sureform-intake", "pid": 25800, "host": "vm", "since": "2026-12-04T19:36:08+00:00"}
    assert describe(holder) == "sureform-intake，进程 25800@vm，开始于 2026-12-05 03:36:08"


def test_the_schedule_is_said_in_words():
    from flows.serve import schedule_words

    assert schedule_words("0 2 * * *", "Asia/Shanghai") == "每天 2:00（北京时间）"
    assert schedule_words("30 23 * * 1-5", "Asia/Shanghai") == "按 cron“30 23 * * 1-5”（北京时间）"


def test_serve_file_lines_escape_names_and_find_their_feedback(sample_run):
    from sureform.outputs.terminal import file_lines

    report, _ = sample_run
    line = next(x for x in file_lines(report) if TITLE_AND_CLEAR in x)
    assert line.startswith(f"石油工程系/{TITLE_AND_CLEAR}：退回（未接收），错误 1 处，按“校级学生会工作人员名单”读取；"
                           "退回标注：outbox/")
    handler_out = io.StringIO()
    from sureform.cli import LogFormatter

    handler = logging.StreamHandler(handler_out)
    handler.setFormatter(LogFormatter())
    logger = logging.getLogger("sureform.test-terminal")
    logger.addHandler(handler)
    try:
        logger.warning("%s", line)
    finally:
        logger.removeHandler(handler)
    assert not RAW.search(handler_out.getvalue()) and "\\x1b]2;pwned" in handler_out.getvalue()


# ---- the report at 60, 80 and 120 columns (issue 19 point 12) --------------------------------------------------
UNITS = ("项", "个", "次", "人", "份", "条评分")


@pytest.mark.parametrize("width", [60, 80, 120])
def test_the_report_fits_and_breaks_where_a_reader_expects(sample_run, width):
    from sureform.outputs.terminal import files_table

    report, _ = sample_run
    lines = render(report, width)
    assert max(cell_len(line) for line in lines) <= width
    for line, after in zip(lines, lines[1:]):
        # a count keeps its unit (`基本信息 4|项`), a name its extension (`工作人员名单.|xlsx`)
        assert not (re.search(r"\d$", line.rstrip()) and after.strip().startswith(UNITS)), (line, after)
        assert not (line.rstrip().endswith(".") and re.match(r"\s*(xlsx|xls|csv|docx)\b", after)), (line, after)
    column = files_table(report, width).columns[0].width
    for f in report["files"]:
        for part in re.split(r"(?<=/)", f["path"]):
            if not RAW.search(part) and "\n" not in part and cell_len(part) <= column:
                assert any(part in line for line in lines), part  # a name that fits is never broken
    joined = "".join(re.sub(r"\s+", "", line) for line in lines)
    for item in report["items"]:
        assert re.sub(r"\s+", "", item.get("note") or "") in joined  # 备注 wrapped, never cut
    assert "…" not in "\n".join(lines)
    assert "汇总数据：" in joined and "基本信息 4 项" in "\n".join(lines)


def test_at_80_columns_the_sample_names_are_whole(sample_run):
    report, _ = sample_run
    lines = render(report, 80)
    assert any(line.startswith("信息工程系/工作人员名单.xlsx ") for line in lines)
    assert any(line.startswith("经济管理系工作人员名单.xlsx ") for line in lines)
    assert any(line.startswith("（经济管理系）") for line in lines)
    assert any(line.startswith("机构信息.xlsx ") and "基本信息 4 项" in line for line in lines)
    assert any(line.startswith("主席团候选人推荐表_陈鹏飞.xlsx") for line in lines)


def test_the_verdicts_table_is_titled_in_the_editions_words(sample_run):
    report, _ = sample_run
    lines = [line.strip() for line in render(report, 80)]
    assert "（一）校级学生会组织改革自评表" in lines and not any("评估备案表" in line for line in lines)  # 2022


def test_the_incomplete_edition_warning_is_wrapped_to_the_terminal(sample_run):
    _, terminal = sample_run
    warning = [line for line in terminal.stderr.splitlines() if line.strip()]
    assert warning and warning[0].startswith("注意：") and max(cell_len(line) for line in warning) <= 80


def test_break_text_keeps_numbers_with_units_and_punctuation_with_its_word():
    from sureform.outputs.terminal import break_text, wrap_path

    assert break_text("召开日期为：2018年11月16日（2019年9月以来未召开）", 20) == \
        ["召开日期为：2018年", "11月16日（2019年9月", "以来未召开）"]
    assert break_text("基本信息 4 项、部门设置 6 个", 12) == ["基本信息", "4 项、部门设", "置 6 个"]
    assert "--edition" in break_text("再用 --edition 本校2022 运行", 10)  # an option never cut
    assert wrap_path("信息工程系/工作人员名单.xlsx", 20) == ["信息工程系/", "工作人员名单.xlsx"]
    assert wrap_path("经济管理系工作人员名单.xlsx（经济管理系）", 30) == ["经济管理系工作人员名单.xlsx", "（经济管理系）"]
    assert wrap_path("主席团成员候选人产生办法及选举办法.docx", 20) == ["主席团成员候选人产生", "办法及选举办法.docx"]
    assert wrap_path("工作人员名单.xlsx", 14) == ["工作人员名", "单.xlsx"]  # cut, but never before the extension


# ---- a Chinese argparse (issue 19 point 8) -------------------------------------------------------------------
COMMANDS = [[], ["run"], ["serve"], ["config"], ["templates"], ["editions"], ["editions", "list"],
            ["editions", "show"], ["editions", "import"]]
ENGLISH = ("usage:", "options:", "positional arguments", "show this help message", "error:", " INBOX", " AS_OF", " DIR")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "sureform")
def test_every_help_page_is_chinese_and_fits_80_columns(tmp_path, command):
    proc = sureform(tmp_path, *command, "--help")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("用法：sureform" + "".join(f" {c}" for c in command))
    assert "选项：" in lines and "  -h, --help" in proc.stdout and "显示本说明并退出" in proc.stdout
    assert lines[2] and not lines[2].startswith(("选项", "命令"))  # a description under the usage line
    assert not any(word in proc.stdout for word in ENGLISH)
    assert max(cell_len(line) for line in lines) <= 80


def test_run_help_says_what_run_does_with_chinese_metavars(tmp_path):
    out = sureform(tmp_path, "run", "--help").stdout
    assert out.startswith("用法：sureform run [选项]\n\n处理收件文件夹中新放入的文件：")
    assert "  --inbox 文件夹   收件文件夹（默认取自设置：./inbox）\n" in out
    assert "  --as-of 日期     填报日期，写成 年-月-日，如 2026-11-24（默认今天，北京时\n" in out
    assert "示例：\n  sureform run                        处理 ./inbox，输出到 ./outbox\n" in out


def test_the_top_help_lists_the_commands_under_命令(tmp_path):
    out = sureform(tmp_path, "--help").stdout
    assert "\n命令：\n  run         处理收件文件夹中的新文件，更新汇总数据并生成输出\n" in out
    assert out.rstrip().endswith("运行 sureform 命令 --help 查看每个命令的说明，例如 sureform run --help。")


@pytest.mark.parametrize("args, usage, message", [
    (["run", "--as-of", "24/11/2026"], "用法：sureform run [选项]",
     "sureform run：--as-of：“24/11/2026”不是日期，请写成 年-月-日，如 2026-11-24"),
    (["run", "--settle", "abc"], "用法：sureform run [选项]", "sureform run：--settle 应为数字：“abc”不是数字"),
    (["run", "--as-of"], "用法：sureform run [选项]", "sureform run：--as-of 后面缺少值"),
    ([], "用法：sureform [选项] 命令 …", "sureform：缺少命令"),
    (["feed"], "用法：sureform [选项] 命令 …",
     "sureform：没有“feed”这个命令，可用的命令：run、serve、config、templates、editions、review"),
    (["edtions"], "用法：sureform [选项] 命令 …",
     "sureform：没有“edtions”这个命令（是不是 editions？），可用的命令：run、serve、config、templates、editions、review"),
    (["editions", "show"], "用法：sureform editions show [选项] 版本", "sureform editions show：缺少版本"),
    (["run", "--json", "--bogus"], "用法：sureform [选项] 命令 …", "sureform：无法识别的参数：--bogus"),
])
def test_argument_errors_are_chinese(tmp_path, args, usage, message):
    proc = sureform(tmp_path, *args)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert lines[0] == usage and lines[-1] == f"运行 {usage.split('[')[0][3:].strip()} --help 查看说明。"
    assert lines[1] + "".join(line.strip() for line in lines[2:-1]) == message  # wrapped to the terminal
    assert max(cell_len(line) for line in lines) <= 80


def test_python_m_flows_speaks_the_same(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SUREFORM_"))}
    environ["COLUMNS"] = "80"
    proc = subprocess.run([sys.executable, "-m", "flows", "run", "--as-of", "x"], cwd=tmp_path, env=environ,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[1] == "sureform run：--as-of：“x”不是日期，请写成 年-月-日，如 2026-11-24"
    help_page = subprocess.run([sys.executable, "-m", "flows", "serve", "--help"], cwd=tmp_path, env=environ,
                               capture_output=True, text=True, timeout=120).stdout
    assert help_page.startswith("用法：sureform serve [选项]\n\n常驻运行：") and "usage:" not in help_page


def test_the_filing_date_is_read_as_people_type_it():
    from datetime import date

    from sureform.cli import _as_of

    for text in ("2026-11-24", "2026/11/24", "2026.11.24", "2026年11月24日", "２０２６年１１月２４日"):
        assert _as_of(text) == date(2026, 11, 24), text


def test_a_hostile_argument_is_escaped_in_the_error(tmp_path):
    proc = sureform(tmp_path, "run", "--as-of", "\x1b[2J")
    assert proc.returncode == 2 and "\x1b" not in proc.stderr and "“\\x1b[2J”不是日期" in proc.stderr


# ---- editions show at 80 columns ----------------------------------------------------------------------------
def test_editions_show_2022_reads_in_words_at_80_columns(tmp_path):
    proc = sureform(tmp_path, "editions", "show", "2022")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    body = "\n".join(line for line in lines if not line.startswith("文件："))
    assert not re.search(r"[a-z]+-[a-z]+", body) and "{" not in body and "=" not in body  # no codes, no patterns
    from sureform.editions import load_catalogue

    flat = re.sub(r"\s+", "", body)
    assert all(re.sub(r"\s+", "", item.text) in flat for item in load_catalogue("2022").items)  # never cut
    for line in ("★1   坚持全心全意服务同学，聚焦主责主业开展工作。未承担宿舍管理、校园文明纠察、",
                 "     安全保卫等行政职能。",
                 "     规则：不承担行政职能",
                 "3    工作人员不超过40人，学生人数较多、分校区较多的高校不超过60人。",
                 "     规则：工作人员人数不超过上限",
                 "       上限（含）：40",
                 "       学生人数较多、分校区较多的高校的上限（含）：60",
                 "     备注：如“实有40人”",
                 "       使本项不达标的问题：职务“…”不是学生会可设置的职务（…）",
                 "       使本项待补充的问题：非一年级新生（入学年份：…）未填写成绩排名",
                 "       公示的最少工作日数：5",
                 "★11  按期规范召开学生（研究生）代表大会。",
                 "     备注：如“召开日期为：2020年11月16日”",
                 "此版本缺少："):
        assert line in lines, line


def test_every_rule_kind_has_a_chinese_name():
    from sureform.rules.library import RULE_KINDS, RULE_LABELS

    assert set(RULE_LABELS) == set(RULE_KINDS)
    assert all(re.search(r"[\u4e00-\u9fff]", label) and not re.search(r"[a-z]", label) for label in RULE_LABELS.values())


def test_editions_list_shows_whole_titles_at_80_columns(tmp_path):
    proc = sureform(tmp_path, "editions", "list")
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0 and max(cell_len(line) for line in lines) <= 80
    assert "2020  内置  高校学生会组织深化改革评估备案表" in lines and "2022  内置  改革自评表" in lines
    assert "…" not in proc.stdout
