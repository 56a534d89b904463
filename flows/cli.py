"""The Prefect side of the `sureform` command: `serve`, and `run` recorded in a configured Prefect server.

`sureform.cli` parses the same arguments and hands these two commands over (`python -m flows …`, the same
process replaced), so that the core never imports Prefect.
"""
from __future__ import annotations

import sys

from flows.serve import serve
from sureform.cli import build_parser, run_options, say, setup_logging, show
from sureform.config import flags_from_args, load_settings


def main(argv: list[str] | None = None) -> int:
    setup_logging()
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "serve":
            return serve(load_settings(flags_from_args(args), config_path=args.config))
        if args.command == "run":
            return run_recorded(args)
    except ValueError as exc:  # ConfigError, EditionError
        say(exc)
        return 2
    say(f"{args.command} 不由 flows 处理")
    return 2


def run_recorded(args) -> int:
    """`sureform run` as a flow run of the server at PREFECT_API_URL (the flow takes the lock)."""
    from flows.intake import intake_flow  # imports Prefect: only now, after serve's settings would have been set

    settings, opts = run_options(args)
    report = intake_flow(str(opts.inbox), str(opts.outbox), str(opts.state), opts.as_of, opts.edition,
                         opts.stable_seconds, settings.lock_wait, history_days=opts.history_days,
                         read_limits=settings.read_limits(), deadline=settings.display("deadline"))
    if report.get("skipped_reason"):
        say(report["skipped_reason"])
        return 3
    show(report, args.json)
    return 0
