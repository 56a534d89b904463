"""`sureform serve`: one long-running process.

1. Without PREFECT_API_URL it starts its own Prefect server on 127.0.0.1 (data in `<state>/prefect/`) and
   waits for it to be healthy; with PREFECT_API_URL it uses that server.
2. It registers two deployments (`sureform-intake/intake`, `sureform-nightly/nightly` on a cron schedule)
   and runs a Prefect runner for them in a background thread: every run is a flow run on the server, with
   its logs, task runs and a markdown artifact. The runner executes the nightly run (and intake runs made
   by hand) in a subprocess.
3. It watches the inbox (`flows.watch`: inotify events on a local disk, polling always, and on shares only)
   and, when files are ready, creates an intake run and executes it in a worker thread of this process
   (`flows.deployments.IntakeTrigger`): no process start, no imports, no server start per drop.
4. On SIGTERM/SIGINT it stops watching, gives a run in progress up to SHUTDOWN_GRACE seconds to finish,
   stops the runner and then the server it started.

Only one `serve` per state folder (`<state>/serve.lock`); runs themselves take `<state>/run.lock`.
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from sureform.config import ConfigError, Settings
from sureform.runlock import RunBusy, describe, file_lock
from flows.recovery import SERVE_PID_ENV, end_orphans, end_stale_run, mark_orphaned_runs_crashed

log = logging.getLogger("sureform.serve")

RUNNER_QUERY_SECONDS = 1.0  # how often the runner asks the server for runs to start (Prefect's default: 10)
SHUTDOWN_GRACE = 60.0  # seconds a run in progress gets to finish when serve is stopped
READY_LINE = "sureform serve 已就绪"
LOGGING_CONFIG = Path(__file__).with_name("logging.yml")  # Prefect's logging, with sureform's console lines


def serve(settings: Settings) -> int:
    settings.check_serve()
    logging.getLogger("sureform").setLevel(settings.log_level)
    os.environ["SUREFORM_LOG_LEVEL"] = settings.log_level  # for the flow-run subprocesses
    os.environ["SUREFORM_TIMEZONE"] = settings.timezone  # their log lines' times, as this process's
    os.environ.setdefault("PREFECT_LOGGING_SETTINGS_PATH", str(LOGGING_CONFIG))  # read when Prefect is imported
    with ExitStack() as stack:
        try:
            stack.enter_context(file_lock(settings.state / "serve.lock", wait=0, what="sureform serve",
                                          on_wait=lambda holder: None))
        except RunBusy as exc:
            raise ConfigError(f"另一个 sureform serve 已在使用状态文件夹 {settings.state}（{describe(exc.holder)}）") from None

        os.environ[SERVE_PID_ENV] = str(os.getpid())  # flow-run processes end with this one (recovery.py)
        end_orphans()  # flow-run processes of a serve killed with -9, even before their watchdog started
        end_stale_run(settings.state)  # a run left by a serve killed with -9: its lock is free at once
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda signum, frame: (log.info("收到停止信号，正在停止…"), stop.set()))

        home = settings.state / "prefect"
        home.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("PREFECT_HOME", str(home))
        if not os.environ.get("PREFECT_API_URL"):
            from flows.server import EmbeddedServer, ServerError

            server = EmbeddedServer(home, settings.server_port)
            try:
                server.start()
            except ServerError as exc:
                log.error("%s", exc)
                return 1
            stack.callback(server.stop)
            os.environ["PREFECT_API_URL"] = server.api_url
        else:
            from flows.server import ServerError, wait_healthy

            url = os.environ["PREFECT_API_URL"]
            log.info("使用已有的 Prefect 服务器：%s", url)
            if not os.environ.get("PREFECT_API_KEY"):
                try:
                    wait_healthy(url, 60)
                except ServerError as exc:
                    log.error("%s（PREFECT_API_URL=%s）", exc, url)
                    return 1
        if stop.is_set():
            return 0
        return _serve(settings, stop)


def _serve(settings: Settings, stop: threading.Event) -> int:
    import prefect  # noqa: F401  (after PREFECT_API_URL / PREFECT_HOME are set: settings are read now)

    # set after Prefect configured this process's logging: the flow-run subprocesses send `sureform` logs to
    # the server, while here they go to stderr once
    extra = {x for x in os.environ.get("PREFECT_LOGGING_EXTRA_LOGGERS", "").split(",") if x}
    os.environ["PREFECT_LOGGING_EXTRA_LOGGERS"] = ",".join(sorted(extra | {"sureform"}))

    from prefect.runner import Runner

    from flows.deployments import INTAKE, IntakeTrigger, build_deployments, intake_parameters
    from flows.watch import QUICK_WINDOW, InboxEvents, InboxWatcher, WatchLoop, watch_mode

    deployments = build_deployments(settings)
    started = threading.Event()
    box: dict = {}

    def run_runner() -> None:
        async def main() -> None:
            runner = Runner(name="sureform-serve", query_seconds=RUNNER_QUERY_SECONDS, pause_on_shutdown=True)
            ids = {d.name: await runner.aadd_deployment(d) for d in deployments}
            box.update(runner=runner, ids=ids, loop=asyncio.get_running_loop())
            task = asyncio.create_task(runner.start())
            started.set()
            await task

        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 — reported by the main thread
            box["error"] = exc
            if not stop.is_set():
                log.exception("Prefect runner 出错")
        finally:
            started.set()

    runner_thread = threading.Thread(target=run_runner, name="prefect-runner", daemon=True)
    runner_thread.start()
    while not started.wait(0.5):
        if stop.is_set():
            break
    if "error" in box or "runner" not in box:
        return 0 if stop.is_set() else 1

    mode, fstype = watch_mode(settings.watch, settings.inbox)
    quick = QUICK_WINDOW if mode == "events" else None  # the adaptive window: local disks only
    stable = min(QUICK_WINDOW, settings.stability_window) if quick else settings.stability_window
    trigger = IntakeTrigger(box["ids"][INTAKE], intake_parameters(settings, stable))
    send_sureform_logs_of_runs()
    try:
        mark_orphaned_runs_crashed(trigger.client, box["ids"].values())
    except Exception as exc:  # noqa: BLE001 — bookkeeping only
        log.warning("无法标记上次留下的未结束运行：%s", exc)
    watch = WatchLoop(InboxWatcher(settings.inbox, settings.stability_window, quick=quick), settings.poll_interval,
                      trigger, trigger.is_done)
    watch_stop = threading.Event()
    if mode == "events":
        InboxEvents(settings.inbox, watch, watch_stop).start()
    else:
        log.info("收件文件夹在%s上（watch = %s），定时检查", f"{fstype} 文件系统" if fstype else "未知文件系统",
                 settings.watch)
    watcher = threading.Thread(target=watch.run, args=(watch_stop,), name="inbox-watch", daemon=True)
    watcher.start()
    try:  # tasks left PENDING/RUNNING by runs that died with a previous serve: CRASHED (retention.py)
        from flows.retention import clean_prefect_history

        clean_prefect_history(None)
    except Exception as exc:  # noqa: BLE001 — bookkeeping only, never keeps serve from starting
        log.warning("无法清理上次留下的未结束步骤：%s", exc)
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    log.info("%s：监视 %s，夜间汇总%s，界面 %s", READY_LINE, settings.inbox,
             schedule_words(settings.schedule, settings.timezone), os.environ["PREFECT_API_URL"].removesuffix("/api"))

    rc = 0
    while not stop.wait(0.5):
        if not runner_thread.is_alive():
            log.error("Prefect runner 意外停止，sureform serve 退出（由 systemd 等重新启动）")
            rc = 1
            break

    watch.stop(watch_stop)
    watcher.join(timeout=30)
    runner = box["runner"]
    deadline = time.monotonic() + SHUTDOWN_GRACE
    if trigger.busy() or (runner_thread.is_alive() and _runs_in_progress(runner)):
        log.info("等待正在进行的处理结束（最多 %.0f 秒）…", SHUTDOWN_GRACE)
    # let a run in progress finish (it would be crash-safe, but finishing is nicer)
    trigger.wait(max(0.0, deadline - time.monotonic()))
    trigger.abandon("sureform serve 已停止，未等到这次处理结束（下次运行补完）")
    while runner_thread.is_alive() and _runs_in_progress(runner) and time.monotonic() < deadline:
        time.sleep(0.25)
    if runner_thread.is_alive():
        try:
            asyncio.run_coroutine_threadsafe(runner.astop(), box["loop"]).result(timeout=30)
        except Exception as exc:  # noqa: BLE001
            log.warning("停止 Prefect runner 时出错：%s", exc)
        runner_thread.join(timeout=30)
    end_stale_run(settings.state, ours=True)  # a run that outlived the grace period and the runner
    trigger.close()
    flush_to_server()
    log.info("sureform serve 已停止")
    return rc


def schedule_words(cron: str, timezone: str) -> str:
    """`0 2 * * *`, Asia/Shanghai → `每天 2:00（北京时间）`; another schedule as written (`（cron：…）`)."""
    zone = "北京时间" if timezone in ("Asia/Shanghai", "Asia/Chongqing", "PRC") else timezone
    fields = cron.split()
    if len(fields) == 5 and fields[2:] == ["*", "*", "*"] and fields[0].isdigit() and fields[1].isdigit():
        return f"每天 {int(fields[1])}:{int(fields[0]):02d}（{zone}）"
    return f"按 cron“{cron}”（{zone}）"


# what the intake stages import on first use (pandas, pandera, openpyxl, xlsxwriter, python-docx): imported once
# at start, in the background, so the first drop costs what every later one does
WARM_MODULES = ("sureform.rules.library", "sureform.checks.batch", "sureform.checks.roster", "sureform.rules.master",
                "sureform.outputs.feedback", "sureform.outputs.workbook", "sureform.outputs.documents.inputs")


def warm_up() -> None:
    import importlib

    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 — the run imports it again and reports a real failure
            log.debug("预先加载 %s 失败：%s", name, exc)


def flush_to_server(timeout: float = 10.0) -> None:
    """Send the logs and events of the runs executed here while the server is still up: at exit, with the
    embedded server stopped, Prefect's background services would retry a dead server for a minute or more."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for service in (APILogWorker, EventsWorker):
        try:
            service.drain_all(timeout=timeout, at_exit=False)
        except Exception as exc:  # noqa: BLE001 — losing a last log line is no reason to hang or fail
            log.debug("无法把剩余的日志发送到 Prefect 服务器：%s", exc)


class _InRunOnly(logging.Filter):
    """Only records logged inside a flow or task run: those belong to a run's logs on the server."""

    def filter(self, record: logging.LogRecord) -> bool:
        from prefect.context import FlowRunContext, TaskRunContext

        return FlowRunContext.get() is not None or TaskRunContext.get() is not None


def send_sureform_logs_of_runs() -> None:
    """`sureform` log lines of the intake runs executed in this process reach their run's logs on the server
    (a subprocess gets that from PREFECT_LOGGING_EXTRA_LOGGERS; here it must be added by hand, once)."""
    from prefect.logging.handlers import APILogHandler

    logger = logging.getLogger("sureform")
    if not any(isinstance(h, APILogHandler) for h in logger.handlers):
        handler = APILogHandler()
        handler.addFilter(_InRunOnly())
        logger.addHandler(handler)


def _runs_in_progress(runner) -> int:
    """Flow-run processes the runner is minding (Prefect 3.8 internals, read defensively)."""
    processes = getattr(getattr(runner, "_process_manager", None), "_process_map", None)
    if not isinstance(processes, dict):
        processes = getattr(runner, "_flow_run_process_map", None) or {}
    return len(processes)
