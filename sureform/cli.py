"""`sureform` command line: each command parses arguments, calls one library function, renders the result."""
from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import sqlite3
import sys
import threading
from datetime import date
from pathlib import Path


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}")


def build_parser() -> argparse.ArgumentParser:
    from sureform.config import add_config_flag, add_setting_flags

    p = argparse.ArgumentParser(prog="sureform", description="高校学生会组织深化改革评估备案：从各系表格到备案表和公开文档")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="处理 inbox 中的文件，更新汇总数据并生成输出")
    # defaults come from the settings (sureform.toml, SUREFORM_* variables), see `sureform config`
    run.add_argument("--inbox", type=Path, default=None, help="收件文件夹（默认取自设置：./inbox）")
    run.add_argument("--outbox", type=Path, default=None, help="输出文件夹（默认取自设置：./outbox）")
    run.add_argument("--state", type=Path, default=None, help="状态文件夹：汇总数据库和存档（默认取自设置：./state）")
    run.add_argument("--as-of", type=_as_of, default=None, help="填报日期 YYYY-MM-DD（默认今天，北京时间）")
    run.add_argument("--edition", default=None, help="备案表版本（默认取自设置：2020）")
    run.add_argument("--settle", type=float, default=None,
                     help="文件最后修改后至少等待的秒数，防止读到正在写入的文件（默认取自设置 stability_window：3）")
    run.add_argument("--json", action="store_true", help="在标准输出打印 JSON 结果（供程序使用）")
    add_config_flag(run)
    run.set_defaults(handler=cmd_run)

    srv = sub.add_parser("serve", help="无人值守：监视收件文件夹随到随处理，每晚定时汇总（Prefect）")
    add_config_flag(srv)
    add_setting_flags(srv)
    srv.set_defaults(handler=cmd_serve)

    cfg = sub.add_parser("config", help="显示生效的设置及其来源（默认值、配置文件、环境变量、命令行）")
    add_config_flag(cfg)
    add_setting_flags(cfg)
    cfg.add_argument("--json", action="store_true", help="以 JSON 输出")
    cfg.set_defaults(handler=cmd_config)

    tpl = sub.add_parser("templates", help="生成空白填报模板")
    tpl.add_argument("--out", type=Path, default=Path("templates"), help="模板输出文件夹")
    tpl.set_defaults(handler=cmd_templates)

    eds = sub.add_parser("editions", help="备案表版本：列出、查看，或从省级团委下发的空白表（.docx）导入")
    eds_sub = eds.add_subparsers(dest="editions_command", required=True)
    eds_sub.add_parser("list", help="内置版本和本地版本（editions/ 文件夹，在配置文件旁）")
    eds_show = eds_sub.add_parser("show", help="一个版本的各表、各项目及其规则，和它缺少的内容")
    eds_show.add_argument("name", help="版本名称（内置或本地），或版本文件的路径")
    eds_import = eds_sub.add_parser("import", help="读取空白表，识别各项目的规则，写出 editions/版本名称.toml 供核对")
    eds_import.add_argument("form", type=Path, help="空白表（.docx）")
    eds_import.add_argument("--name", default=None, help="版本名称（默认：空白表的文件名）")
    eds_import.add_argument("--force", action="store_true", help="覆盖已有的同名本地版本")
    for parser in eds_sub.choices.values():
        add_config_flag(parser)
    eds.set_defaults(handler=cmd_editions)
    return p


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
    if warning:
        print(f"注意：{warning}", file=sys.stderr)


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
        print(f"另一次处理正在进行（{describe(holder)}），最多等待 {settings.lock_wait:.0f} 秒…", file=sys.stderr)

    try:
        if args.json:
            report = pipeline.run_intake(opts, lock_wait=settings.lock_wait, on_wait=waiting)
        else:
            from sureform.outputs.terminal import progress_bar

            with progress_bar() as progress:
                report = pipeline.run_intake(opts, lock_wait=settings.lock_wait, on_wait=waiting, progress=progress)
    except RunBusy as exc:
        print(f"sureform: {exc}", file=sys.stderr)
        return 3
    except (OSError, sqlite3.Error) as exc:  # a read-only or full state/outbox: one line, never a traceback
        message = environment_failure(exc, opts)
        print(f"sureform: {message}", file=sys.stderr)
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
    print(render(settings))
    api = os.environ.get("PREFECT_API_URL")
    print(f"# Prefect：{'使用 PREFECT_API_URL=' + api if api else '内置服务器 http://127.0.0.1:%d（数据在 %s）' % (settings.server_port, settings.state / 'prefect')}")
    return 0


def cmd_templates(args) -> int:
    from sureform.outputs.templates.catalog import write_templates

    paths = write_templates(args.out)
    from rich.console import Console

    console = Console()
    console.print(f"已生成 {len(paths)} 个空白模板：")
    for path in paths:
        console.print(f"  {path}")
    return 0


def cmd_editions(args) -> int:
    from sureform.outputs import edition_files

    folder = edition_files.settings_folder(args.config)
    if args.editions_command == "import":
        dest, edition = edition_files.import_form(args.form, folder, args.name, args.force)
        edition_files.print_import(dest, edition)
    elif args.editions_command == "show":
        edition_files.print_show(args.name, folder)
    else:
        edition_files.print_list(folder)
    return 0


def main(argv: list[str] | None = None) -> int:
    level = os.environ.get("SUREFORM_LOG_LEVEL", "WARNING").strip().upper()  # an invalid one is reported by load_settings
    logging.basicConfig(level=level if level in ("DEBUG", "INFO", "WARNING", "ERROR") else "WARNING", stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv
    try:
        return args.handler(args)
    except ValueError as exc:  # ConfigError, EditionError: a bad setting, said before any work
        print(f"sureform: {exc}", file=sys.stderr)
        return 2


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
