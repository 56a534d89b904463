"""`sureform` command line: each command parses arguments, calls one library function, renders the result."""
from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import re
import sqlite3
import sys
import threading
from datetime import date
from pathlib import Path


def _as_of(text: str) -> date:
    """2026-11-24, also as people type it: 2026/11/24, 2026.11.24, 2026年11月24日, full-width digits."""
    from sureform.intake.values import parse_date

    day, _ = parse_date(text)
    if day is None:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期，请写成 年-月-日，如 2026-11-24")
    return day


# ---- argparse in Chinese ----------------------------------------------------------------------------------
# what a metavar of a setting's flag (sureform.config.KEYS) or an argument is called on the help page
METAVAR_WORD = {"DIR": "文件夹", "FILE": "文件", "SECONDS": "秒", "CRON": "时间表", "TZ": "时区", "EDITION": "版本",
                "LEVEL": "级别", "PORT": "端口", "DAYS": "天数", "ROWS": "行数", "COLUMNS": "列数", "MB": "MB",
                "RATIO": "倍数", "MODE": "方式", "MM-DD,…": "月-日,…"}
HEADING = {"options": "选项", "positional arguments": "参数"}
TYPE_WORD = {"float": "数字", "int": "整数"}


def _names(text: str) -> str:
    """`'run', 'serve'` or `--a, --b` (argparse's lists) → `run、serve`."""
    return "、".join(x.strip().strip("'\"") for x in text.split(",") if x.strip())


def chinese_error(message: str) -> str:
    """argparse's English error message in Chinese (argparse builds them in English before `error` sees them)."""
    m = re.fullmatch(r"the following arguments are required: (.+)", message)
    if m:
        return f"缺少{_names(m.group(1))}"
    m = re.fullmatch(r"unrecognized arguments: (.+)", message)
    if m:
        return f"无法识别的参数：{m.group(1)}"
    m = re.fullmatch(r"one of the arguments (.+) is required", message)
    if m:
        return f"须给出其中之一：{_names(m.group(1).replace(' ', ','))}"
    m = re.fullmatch(r"ambiguous option: (\S+) could match (.+)", message)
    if m:
        return f"选项 {m.group(1)} 不明确，可能是：{_names(m.group(2))}"
    m = re.fullmatch(r"argument (.+?): (.+)", message, re.S)
    if not m:
        return message
    name, detail = m.groups()
    if c := re.fullmatch(r"invalid choice: '?(.*?)'? \(choose from (.+)\)", detail):
        import difflib

        choices = _names(c.group(2))
        close = difflib.get_close_matches(c.group(1), choices.split("、"), n=1)
        guess = f"（是不是 {close[0]}？）" if close else ""
        return (f"没有“{c.group(1)}”这个{name}{guess}，可用的{name}：{choices}" if name == "命令" else
                f"{name} 的值不能是“{c.group(1)}”{guess}，可选：{choices}")
    if c := re.fullmatch(r"invalid (\w+) value: '(.*)'", detail, re.S):
        word = TYPE_WORD.get(c.group(1), c.group(1))
        return f"{name} 应为{word}：“{c.group(2)}”不是{word}"
    if re.fullmatch(r"expected (one|at least one|\d+) arguments?", detail):
        return f"{name} 后面缺少值"
    if c := re.fullmatch(r"ignored explicit argument '(.*)'", detail):
        return f"{name} 不带值：“{c.group(1)}”"
    if c := re.fullmatch(r"not allowed with argument (.+)", detail):
        return f"{name} 不能与 {c.group(1)} 同时使用"
    return f"{name}：{detail}"  # the type functions' own messages are Chinese (`_as_of`)


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help page in Chinese, laid out by display width (a Chinese character takes two columns):
    `用法：sureform run [选项]`, headings 选项/参数/命令, metavars in words, help text wrapped as Chinese is."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 30, width: int | None = None):
        import shutil

        width = width if width is not None else min(shutil.get_terminal_size().columns, 100) - 2
        super().__init__(prog, indent_increment, max_help_position, max(width, 40))

    def _format_usage(self, usage, actions, groups, prefix) -> str:
        if usage is None:
            words = [self._prog]
            if any(a.option_strings and a.help is not argparse.SUPPRESS for a in actions):
                words.append("[选项]")
            for a in actions:
                if not a.option_strings and a.help is not argparse.SUPPRESS:
                    words.append(self._metavar_formatter(a, a.dest)(1)[0] + (" …" if isinstance(
                        a, argparse._SubParsersAction) else ""))
            usage = " ".join(words)
        return f"{'用法：' if prefix is None else prefix}{usage % dict(prog=self._prog)}\n\n"

    def _metavar_formatter(self, action, default_metavar):
        inner = super()._metavar_formatter(action, default_metavar)
        return lambda size: tuple(METAVAR_WORD.get(m, m) for m in inner(size))

    def start_section(self, heading) -> None:
        super().start_section(HEADING.get(heading, heading))

    def format_help(self) -> str:
        text = super().format_help()
        return re.sub(r"^( *)(选项|参数|命令):$", r"\1\2：", text, flags=re.M)

    def _split_lines(self, text: str, width: int) -> list[str]:
        from sureform.outputs.terminal import break_text

        return break_text(" ".join(text.split()), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        from sureform.outputs.terminal import break_text

        return "\n".join(indent + line for para in text.split("\n") for line in
                         (break_text(" ".join(para.split()), width - len(indent)) if para.strip() else [""]))

    def add_argument(self, action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:  # argparse measured with len(): measure in columns
            from rich.cells import cell_len

            found = [self._format_action_invocation(a) for a in (action, *self._iter_indented_subactions(action))]
            self._action_max_length = max(self._action_max_length,
                                          max(map(cell_len, found)) + self._current_indent)

    def _format_action(self, action) -> str:
        from rich.cells import cell_len

        if isinstance(action, argparse._SubParsersAction):  # the commands alone, not a `命令` line above them
            return "".join(self._format_action(sub) for sub in action._get_subactions())
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 20)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent = " " * self._current_indent
        if not action.help:
            parts = [f"{indent}{header}\n"]
        elif cell_len(header) <= action_width:
            parts = [f"{indent}{header}{' ' * (action_width - cell_len(header))}  "]
            first = 0
        else:
            parts = [f"{indent}{header}\n"]
            first = help_position
        if action.help and action.help.strip():
            lines = self._split_lines(self._expand_help(action), help_width)
            parts.append(f"{' ' * first}{lines[0]}\n")
            parts += [f"{' ' * help_position}{line}\n" for line in lines[1:]]
        for sub in self._iter_indented_subactions(action):
            parts.append(self._format_action(sub))
        return self._join_parts(parts)


class Parser(argparse.ArgumentParser):
    """argparse with Chinese headings, help option and error messages; the usage line, then the error, then
    where help is (exit 2)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本说明并退出")

    def error(self, message: str):
        from sureform.atomic import printable

        import shutil

        from sureform.outputs.terminal import break_text

        self.print_usage(sys.stderr)
        width = max(shutil.get_terminal_size().columns, 40)
        lines = break_text(printable(f"{self.prog}：{chinese_error(message)}"), width, 2)
        self.exit(2, "\n".join(lines) + f"\n运行 {self.prog} --help 查看说明。\n")


EPILOG = "运行 sureform 命令 --help 查看每个命令的说明，例如 sureform run --help。"
RUN_EPILOG = """示例：
  sureform run                        处理 ./inbox，输出到 ./outbox
  sureform run --as-of 2020-11-24     按 2020 年 11 月 24 日填报
  sureform run --edition 2022 --json  按 2022 版，打印 JSON 结果"""


def build_parser() -> argparse.ArgumentParser:
    from sureform.config import add_config_flag, add_setting_flags

    p = Parser(prog="sureform", epilog=EPILOG, formatter_class=_raw_epilog(HelpFormatter),
               description="高校学生会组织深化改革评估备案：读取各系放进收件文件夹的表格，按改革要求逐项检查，"
                           "生成汇总表、备案表和改革情况公开文档。")
    sub = p.add_subparsers(dest="command", required=True, title="命令", metavar="命令", parser_class=Parser)

    run = sub.add_parser("run", help="处理收件文件夹中的新文件，更新汇总数据并生成输出", epilog=RUN_EPILOG,
                         formatter_class=_raw_epilog(HelpFormatter),
                         description="处理收件文件夹中新放入的文件：读取、检查、写入汇总数据，给有错误、问题或提示的文件"
                                     "生成标注文件，重新评估各项改革要求，生成 汇总.xlsx、备案表.docx 和"
                                     " 改革情况公开.docx。处理完的文件移出收件文件夹（存档，不会删除）。")
    # defaults come from the settings (sureform.toml, SUREFORM_* variables), see `sureform config`
    run.add_argument("--inbox", type=Path, default=None, metavar="DIR", help="收件文件夹（默认取自设置：./inbox）")
    run.add_argument("--outbox", type=Path, default=None, metavar="DIR", help="输出文件夹（默认取自设置：./outbox）")
    run.add_argument("--state", type=Path, default=None, metavar="DIR",
                     help="状态文件夹：汇总数据库和存档（默认取自设置：./state）")
    run.add_argument("--as-of", type=_as_of, default=None, metavar="日期",
                     help="填报日期，写成 年-月-日，如 2026-11-24（默认今天，北京时间）")
    run.add_argument("--edition", default=None, metavar="EDITION", help="备案表版本（默认取自设置：2020）")
    run.add_argument("--settle", type=float, default=None, metavar="SECONDS",
                     help="文件最后修改后至少等待的秒数，防止读到正在写入的文件（默认取自设置 stability_window：3）")
    run.add_argument("--json", action="store_true", help="在标准输出打印 JSON 结果（供程序使用）")
    add_config_flag(run)
    run.set_defaults(handler=cmd_run)

    srv = sub.add_parser("serve", help="无人值守：监视收件文件夹随到随处理，每晚定时汇总（Prefect）",
                         description="常驻运行：监视收件文件夹，文件写完即处理；每天按计划（默认凌晨 2:00，北京时间）"
                                     "重新汇总全部数据、重新生成文档。每次运行都记录在本机的 Prefect 服务器中。"
                                     "按 Ctrl+C 或发送 SIGTERM 停止。以下选项未给出时取自设置（sureform config）。")
    add_config_flag(srv)
    add_setting_flags(srv)
    srv.set_defaults(handler=cmd_serve)

    cfg = sub.add_parser("config", help="显示生效的设置及其来源（默认值、配置文件、环境变量、命令行）",
                         description="显示生效的设置及其来源：默认值、配置文件 sureform.toml、SUREFORM_ 开头的环境变量，"
                                     "或命令行。给出选项时显示加上这些选项后的设置。")
    add_config_flag(cfg)
    add_setting_flags(cfg)
    cfg.add_argument("--json", action="store_true", help="以 JSON 输出")
    cfg.set_defaults(handler=cmd_config)

    tpl = sub.add_parser("templates", help="生成空白填报模板",
                         description="生成各类材料的空白填报模板（.xlsx，带下拉选项和“填写说明”页），发给各系团总支填写。")
    tpl.add_argument("--out", type=Path, default=Path("templates"), metavar="DIR", help="模板输出文件夹（默认 ./templates）")
    tpl.set_defaults(handler=cmd_templates)

    eds = sub.add_parser("editions", help="备案表版本：列出、查看，或从省级团委下发的空白表（.docx）导入",
                         description="备案表版本：列出内置版本和本地版本，查看一个版本的项目和规则，或从省级团委下发的"
                                     "空白表（.docx）导入为本地版本。")
    eds_sub = eds.add_subparsers(dest="editions_command", required=True, title="命令", metavar="命令",
                                 parser_class=Parser)
    eds_sub.add_parser("list", help="内置版本和本地版本（editions/ 文件夹，在配置文件旁）",
                       description="列出内置版本和本地版本（本地版本在配置文件旁的 editions/ 文件夹中）。")
    eds_show = eds_sub.add_parser("show", help="一个版本的各表、各项目及其规则，和它缺少的内容",
                                  description="显示一个版本的各表、各项目、判定规则及其参数、备注的写法，以及该版本缺少的内容。")
    eds_show.add_argument("name", metavar="版本", help="版本名称（内置或本地），或版本文件的路径")
    eds_import = eds_sub.add_parser("import", help="读取空白表，识别各项目的规则，写出 editions/版本名称.toml 供核对",
                                    description="读取省级团委下发的空白表（.docx），按各项目的原文识别规则和参数，"
                                                "写出 editions/版本名称.toml（在配置文件旁）供核对。")
    eds_import.add_argument("form", type=Path, metavar="空白表", help="空白表（.docx；装有 LibreOffice 时也可以是 .doc、.wps）")
    eds_import.add_argument("--name", default=None, metavar="版本名称", help="版本名称，最多 64 个字符（默认：空白表的文件名）")
    eds_import.add_argument("--force", action="store_true", help="覆盖已有的同名本地版本；编号有疑问时仍然导入")
    for parser in eds_sub.choices.values():
        add_config_flag(parser)
    eds.set_defaults(handler=cmd_editions)

    rev = sub.add_parser("review", help="省级复评：读取各校报送的自评表，逐项复核，给出通过、需整改、待核实和实地复核名单",
                         description="省级团委、学联复评：读取复评收件文件夹中各校报送的备案表、改革自评表或改革情况公开"
                                     "（每校一个子文件夹；.docx，装有 LibreOffice 时也可以是 .doc，或可复制文字的 PDF），"
                                     "按各校所填表格的条目逐项复核所填结论与表中数字、日期是否一致，给出通过、需整改、"
                                     "待核实，生成 复评汇总.xlsx、复评意见（每校一份 Word）和 实地复核工作表.xlsx。")
    rev.add_argument("--inbox", type=Path, default=None, metavar="DIR", help="复评收件文件夹，每校一个子文件夹（默认取自设置 [review]：review/inbox）")
    rev.add_argument("--outbox", type=Path, default=None, metavar="DIR", help="复评输出文件夹（默认：review/outbox）")
    rev.add_argument("--state", type=Path, default=None, metavar="DIR", help="复评状态文件夹：各轮复评的记录（默认：review/state）")
    rev.add_argument("--as-of", type=_as_of, default=None, metavar="日期", help="复评日期，写成 年-月-日，如 2026-12-04（默认今天，北京时间）")
    rev.add_argument("--edition", default=None, metavar="EDITION", help="按指定版本复核（默认：按各校所填表格本身的条目识别）")
    rev.add_argument("--sample", type=float, default=None, metavar="比例", help="通过的学校中随机抽取实地复核的比例（默认 0.2）")
    rev.add_argument("--seed", type=int, default=None, metavar="整数", help="随机抽取的种子，相同种子抽到相同的学校（默认 0）")
    rev.add_argument("--json", action="store_true", help="在标准输出打印 JSON 结果（供程序使用）")
    add_config_flag(rev)
    rev.set_defaults(handler=cmd_review)
    return p


def _raw_epilog(base: type[HelpFormatter]) -> type[HelpFormatter]:
    """The formatter that keeps an epilog's own lines (the examples): a description is still wrapped."""

    class Formatter(base):
        def add_text(self, text) -> None:
            if text is EPILOG or text is RUN_EPILOG:
                self._add_item(lambda t: t + "\n", [text])
            else:
                super().add_text(text)

    return Formatter


def run_options(args):
    """The settings and the run's options from `sureform run`'s arguments (exit 2 on a bad setting or edition)."""
    from sureform.config import SOURCE_DEFAULT, load_settings
    from sureform.intake.grid import ReadLimits
    from sureform.pipeline import RunOptions

    settings = load_settings({"inbox": args.inbox, "outbox": args.outbox, "state": args.state, "edition": args.edition,
                              "stability_window": args.settle}, config_path=args.config)
    if settings.sources["log_level"] != SOURCE_DEFAULT:
        logging.getLogger().setLevel(settings.log_level)
    opts = RunOptions(settings.inbox, settings.outbox, settings.state, args.as_of or settings.today(), settings.edition,
                      settings.stability_window, settings.history_days, ReadLimits(**settings.read_limits()),
                      settings.deadline)
    opts.check_edition()  # an unknown or broken edition is an argument error (EditionError, exit 2), before any work
    return settings, opts


def warn_incomplete_edition(edition: str) -> None:
    """Before any work: an edition that lacks items or tables produces drafts; say what to import first."""
    from sureform.editions import incomplete_warning, load_catalogue

    try:
        warning = incomplete_warning(load_catalogue(edition))
    except ValueError:  # the run itself says what is wrong with the edition
        return
    if warning:  # an edition's words may come from an imported form: escaped, and wrapped to the terminal
        import shutil

        from sureform.atomic import printable
        from sureform.outputs.terminal import break_text

        width = max(shutil.get_terminal_size().columns, 40)
        print("\n".join(break_text(printable(f"注意：{warning}"), width, 2)), file=sys.stderr)


def show(report: dict, as_json: bool) -> None:
    if as_json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        from sureform.outputs.terminal import print_report

        print_report(report)


def cmd_run(args) -> int:
    from sureform import pipeline
    from sureform.runlock import RunBusy, describe

    settings, opts = run_options(args)
    warn_incomplete_edition(opts.edition)
    if os.environ.get("PREFECT_API_URL"):
        return hand_to_flows(args)  # the run is recorded in the configured Prefect server

    def waiting(holder) -> None:
        from sureform.atomic import printable

        print(printable(f"另一次处理正在进行（{describe(holder)}），最多等待 {settings.lock_wait:.0f} 秒…"), file=sys.stderr)

    try:
        if args.json:
            report = pipeline.run_intake(opts, lock_wait=settings.lock_wait, on_wait=waiting)
        else:
            from sureform.outputs.terminal import progress_bar

            with progress_bar() as progress:
                report = pipeline.run_intake(opts, lock_wait=settings.lock_wait, on_wait=waiting, progress=progress)
    except RunBusy as exc:
        say(exc)
        return 3
    except (OSError, sqlite3.Error) as exc:  # a read-only or full state/outbox: one line, never a traceback
        message = environment_failure(exc, opts)
        say(message)
        if args.json:
            show({"error": {"code": "environment", "message": message,
                            "path": getattr(exc, "filename", None)}}, True)
        return 4
    show(report.to_dict(), args.json)
    return 0


def environment_failure(exc: BaseException, opts) -> str:
    """One Chinese line for a failure of the machine, not of the data: what, where, what to do."""
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in text or "database or disk is full" in text:
        what = "磁盘空间已满"
    elif code == errno.EROFS or "readonly" in text or "read-only" in text:
        what = "文件夹是只读的"
    elif code in (errno.EACCES, errno.EPERM):
        what = "没有写入权限"
    else:
        what = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    where = getattr(exc, "filename", None) or f"{opts.state} 或 {opts.outbox}"
    return (f"无法写入（{what}）：{where}。请检查状态文件夹和输出文件夹的磁盘空间与写入权限后重新运行；"
            "未处理完的文件留在收件文件夹中，下次运行会继续处理")


def cmd_serve(args) -> int:
    from sureform.config import flags_from_args, load_settings

    settings = load_settings(flags_from_args(args), config_path=args.config)  # a bad setting: exit 2 before anything
    settings.check_serve()
    return hand_to_flows(args)


def hand_to_flows(args) -> int:
    """`serve`, and `run` with PREFECT_API_URL, are Prefect's: the same command goes on as `python -m flows`
    (the same process, replaced: signals and systemd see no difference). The core never imports Prefect."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "flows", *args.argv])
    return 1  # not reached


def cmd_config(args) -> int:
    from sureform.config import flags_from_args, load_settings, render

    settings = load_settings(flags_from_args(args), config_path=args.config)
    if args.json:
        data = {k: {"value": v, "source": settings.sources[k]} for k, v in settings.as_dict().items()}
        data["config_file"] = str(settings.config_file) if settings.config_file else None
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    from sureform.atomic import printable

    print("\n".join(printable(line) for line in render(settings).split("\n")))
    api = os.environ.get("PREFECT_API_URL")
    print(printable(f"# Prefect：{'使用 PREFECT_API_URL=' + api if api else '内置服务器 http://127.0.0.1:%d（数据在 %s）' % (settings.server_port, settings.state / 'prefect')}"))
    return 0


def cmd_templates(args) -> int:
    from sureform.outputs.templates.catalog import write_templates

    paths = write_templates(args.out)
    from sureform.outputs.terminal import print_wrapped, terminal

    console = terminal()
    console.print(f"已生成 {len(paths)} 个空白模板：")
    for path in paths:
        print_wrapped(console, f"  {path}", path=True, indent=4)
    return 0


def cmd_editions(args) -> int:
    from sureform.outputs import edition_files

    folder = edition_files.settings_folder(args.config)
    if args.editions_command == "import":
        plan = edition_files.plan_import(args.form, folder, args.name, args.force,
                                         edition_files.import_limits(args.config))
        stop = bool(plan.warnings) and not args.force
        if not stop:
            edition_files.write_import(plan)
        edition_files.print_import(plan.dest, plan.edition, warnings=plan.warnings, notes=plan.notes, written=not stop)
        return 1 if stop else 0
    elif args.editions_command == "show":
        edition_files.print_show(args.name, folder)
    else:
        edition_files.print_list(folder)
    return 0


def cmd_review(args) -> int:
    from sureform import pipeline
    from sureform.config import load_review_settings, load_settings
    from sureform.intake.grid import ReadLimits
    from sureform.runlock import RunBusy

    # --edition: a built-in name, an edition file, or a local edition beside the settings file, as for `run`
    settings = load_settings({"edition": args.edition}, config_path=args.config)
    edition = settings.edition if args.edition else None
    rs = load_review_settings({"inbox": args.inbox, "outbox": args.outbox, "state": args.state,
                               "sample": args.sample, "seed": args.seed}, config_path=args.config)
    if edition:
        from sureform.rules.library import load_edition

        load_edition(edition)  # a broken edition is an argument error (exit 2), before any work
    opts = pipeline.ReviewOptions(rs.inbox, rs.outbox, rs.state, args.as_of or settings.today(), edition,
                                  rs.sample, rs.seed, ReadLimits(**settings.read_limits()))
    if not opts.inbox.is_dir():
        say(f"复评收件文件夹 {opts.inbox} 不存在。请建立该文件夹，每校一个子文件夹放入其报送的材料，"
            "或用 --inbox 指定")
        return 2
    try:
        report = pipeline.run_review(opts, lock_wait=settings.lock_wait)
    except RunBusy as exc:
        say(exc)
        return 3
    except (OSError, sqlite3.Error) as exc:
        say(environment_failure(exc, opts))
        return 4
    if args.json:
        show(report, True)
    else:
        from sureform.outputs.review import print_review

        print_review(report)
    return 0


def main(argv: list[str] | None = None) -> int:
    setup_logging()
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv
    try:
        return args.handler(args)
    except ValueError as exc:  # ConfigError, EditionError: a bad setting, said before any work
        say(exc)
        return 2


# ---- the log: one Chinese line per event, in Beijing time, nothing from outside raw -----------------------
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LEVEL_WORD = {logging.DEBUG: "调试", logging.WARNING: "警告", logging.ERROR: "错误", logging.CRITICAL: "严重错误"}
DEFAULT_TIMEZONE = "Asia/Shanghai"


def _is_own(record: logging.LogRecord) -> bool:
    return record.name == "sureform" or record.name.startswith("sureform.")


def _log_zone():
    from zoneinfo import ZoneInfo

    try:  # `serve` passes its `timezone` setting down to the flow-run processes
        return ZoneInfo(os.environ.get("SUREFORM_TIMEZONE", "").strip() or DEFAULT_TIMEZONE)
    except (ValueError, OSError):
        return ZoneInfo(DEFAULT_TIMEZONE)


class LogFormatter(logging.Formatter):
    """`2026-12-05 03:12:46 石油工程系/工作人员名单.xlsx：已接收，12 人`: the time in Beijing time (the `timezone`
    setting), 警告/错误 in front when it is one, the source of a line that is not sureform's own (Prefect's, at
    debug level); every control character of the message escaped (`sureform.atomic.printable`), so that a file
    name can neither forge a line nor drive the terminal."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()
        self.zone = _log_zone()

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        from datetime import datetime

        return datetime.fromtimestamp(record.created, self.zone).strftime("%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        from sureform.atomic import printable

        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 — a bad format string of someone else's line
            message = f"{record.msg} {record.args}"
        word = LEVEL_WORD.get(record.levelno)
        line = f"{self.formatTime(record)} {word + '：' if word else ''}"
        line += printable(message) if _is_own(record) else f"{printable(record.name)}：{printable(message)}"
        if record.exc_info:
            line += "".join("\n    " + printable(x) for x in self.formatException(record.exc_info).splitlines())
        return line


class OwnLinesFilter(logging.Filter):
    """sureform's lines at the configured level; other libraries' (Prefect's `Beginning flow run …`,
    `Finished in state Completed()`, `Pausing all deployments...`) only at DEBUG, or when they are errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _is_own(record) or record.levelno >= logging.ERROR:
            return True
        return (logging.getLogger("sureform").isEnabledFor(logging.DEBUG)
                or os.environ.get("SUREFORM_LOG_LEVEL", "").strip().upper() == "DEBUG")


class StderrHandler(logging.StreamHandler):
    """To whatever sys.stderr is when a line is written (a test's capture, a redirected stream)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def log_handler() -> logging.Handler:
    handler = StderrHandler()
    handler.setFormatter(LogFormatter())
    handler.addFilter(OwnLinesFilter())
    return handler


def setup_logging() -> None:
    """The log on stderr (`sureform run`, `sureform serve` and its journal): `LogFormatter`'s lines, at
    SUREFORM_LOG_LEVEL (WARNING by default; an invalid one is reported by load_settings)."""
    level = os.environ.get("SUREFORM_LOG_LEVEL", "WARNING").strip().upper()
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h.formatter, LogFormatter)]:
        root.removeHandler(old)
    root.addHandler(log_handler())
    root.setLevel(level if level in LOG_LEVELS else "WARNING")
    sys.excepthook = _printable_traceback  # a crash's message may quote a name from outside, too
    threading.excepthook = lambda a: None if a.exc_type is SystemExit else \
        _printable_traceback(a.exc_type, a.exc_value, a.exc_traceback, f"线程 {a.thread.name if a.thread else ''} 出错：")


def _printable_traceback(kind, value, tb, head: str = "") -> None:
    import traceback

    from sureform.atomic import printable

    lines = ([head] if head else []) + "".join(traceback.format_exception(kind, value, tb)).rstrip("\n").split("\n")
    sys.stderr.write("".join(printable(line) + "\n" for line in lines))


def say(message: object) -> None:
    """One line to stderr for the person at the terminal (`sureform: …`), with anything from outside escaped."""
    from sureform.atomic import printable

    print(f"sureform：{printable(message)}", file=sys.stderr)


def console() -> None:
    """The `sureform` command: `main`, then out at once when nothing needs the interpreter's own shutdown (no
    other thread, no child process, Prefect not loaded): everything is written, fsynced and closed by then, and
    tearing down pandas, python-docx and a decoded master costs a quarter of a second and more."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        sys.exit(code)  # a closed pipe: the interpreter's own shutdown says so as before
    mp = sys.modules.get("multiprocessing")
    if threading.active_count() == 1 and "prefect" not in sys.modules and not (mp and mp.active_children()):
        logging.shutdown()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    console()
