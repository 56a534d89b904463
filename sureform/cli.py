"""`sureform` command line: each command parses arguments, calls one library function, renders the result."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import date
from pathlib import Path


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sureform", description="高校学生会组织深化改革评估备案：从各系表格到备案表和公开文档")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="处理 inbox 中的文件，更新汇总数据并生成输出")
    run.add_argument("--inbox", type=Path, default=Path("inbox"), help="收件文件夹（默认 ./inbox）")
    run.add_argument("--outbox", type=Path, default=Path("outbox"), help="输出文件夹（默认 ./outbox）")
    run.add_argument("--state", type=Path, default=Path("state"), help="状态文件夹：汇总数据库和存档（默认 ./state）")
    run.add_argument("--as-of", type=_as_of, default=None, help="填报日期 YYYY-MM-DD（默认今天，北京时间）")
    run.add_argument("--edition", default="2020", help="备案表版本（默认 2020）")
    run.add_argument("--settle", type=float, default=5.0, help="文件最后修改后至少等待的秒数，防止读到正在写入的文件（默认 5）")
    run.add_argument("--json", action="store_true", help="在标准输出打印 JSON 结果（供程序使用）")
    run.set_defaults(handler=cmd_run)

    tpl = sub.add_parser("templates", help="生成空白填报模板")
    tpl.add_argument("--out", type=Path, default=Path("templates"), help="模板输出文件夹")
    tpl.set_defaults(handler=cmd_templates)
    return p


def cmd_run(args) -> int:
    from .pipeline import RunOptions, today_in_china

    opts = RunOptions(args.inbox, args.outbox, args.state, args.as_of or today_in_china(), args.edition, args.settle)
    from .catalogue import load_catalogue

    load_catalogue(opts.edition)  # an unknown edition is an argument error, before any work
    if os.environ.get("PREFECT_API_URL"):
        from flows.intake import intake_flow  # record the run in the configured Prefect server

        report = intake_flow(str(opts.inbox), str(opts.outbox), str(opts.state), opts.as_of, opts.edition,
                             opts.stable_seconds)
    elif args.json:
        from .pipeline import run_pipeline

        report = run_pipeline(opts)
    else:
        from .render import run_with_progress

        report = run_with_progress(opts)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        from .render import print_report

        print_report(report)
    return 0


def cmd_templates(args) -> int:
    from .templates.catalog import write_templates

    paths = write_templates(args.out)
    from rich.console import Console

    console = Console()
    console.print(f"已生成 {len(paths)} 个空白模板：")
    for path in paths:
        console.print(f"  {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=os.environ.get("SUREFORM_LOG_LEVEL", "WARNING"), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except ValueError as exc:
        print(f"sureform: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
