"""The embedded Prefect server: `prefect server start` as a child process on 127.0.0.1, its database a SQLite
file under `<state>/prefect/`, started once per `sureform serve` and stopped with it. Plain Python: it only
starts a process and asks it for `/api/health`.

The child gets PR_SET_PDEATHSIG, so even a `kill -9` of `serve` takes the server down with it, and its own
session, so a Ctrl-C in the terminal reaches `serve` (which shuts down in order) and not the server first.
"""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

log = logging.getLogger("sureform.serve")

HOST = "127.0.0.1"


class ServerError(RuntimeError):
    pass


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_in_use(port: int) -> bool:
    """Someone listens there (a port only in TIME_WAIT after our own last server is free: uvicorn reuses it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return True
    return False


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_healthy(api_url: str, timeout: float, process: subprocess.Popen | None = None) -> float:
    """Seconds it took; raises ServerError on timeout or if `process` exits first."""
    start = time.monotonic()
    while True:
        if healthy(api_url):
            return time.monotonic() - start
        if process is not None and process.poll() is not None:
            raise ServerError(f"Prefect 服务器启动失败（退出码 {process.returncode}）")
        if time.monotonic() - start > timeout:
            raise ServerError(f"Prefect 服务器 {api_url} 在 {timeout:.0f} 秒内没有就绪")
        time.sleep(0.25)


def server_environment(home: Path) -> dict[str, str]:
    """Where the embedded server keeps its data: everything under `home` (= `<state>/prefect`)."""
    db = Path(home) / "prefect.db"
    return {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{db}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    }


class EmbeddedServer:
    def __init__(self, home: Path, port: int = 4200, startup_timeout: float = 180.0):
        self.home = Path(home)
        self.port = port
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.log_path = self.home / "server.log"

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.port}/api"

    def start(self) -> float:
        """Start and wait for health; returns the seconds it took."""
        self.home.mkdir(parents=True, exist_ok=True)
        if self.port == 0:
            self.port = free_port()
        elif port_in_use(self.port):
            raise ServerError(f"端口 {self.port} 已被占用：另一个 Prefect 服务器或程序在使用它。"
                              "请用 --server-port（或 SUREFORM_SERVER_PORT）换一个端口，或设置 PREFECT_API_URL 使用已有的服务器")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_")}
        env.update(server_environment(self.home))
        log.info("启动内置 Prefect 服务器：%s（数据在 %s）", self.api_url, self.home)
        logfile = open(self.log_path, "ab")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "prefect", "server", "start", "--host", HOST, "--port", str(self.port),
                 "--analytics-off"],
                env=env, stdin=subprocess.DEVNULL, stdout=logfile, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        finally:
            logfile.close()
        try:
            took = wait_healthy(self.api_url, self.startup_timeout, self.process)
        except ServerError as exc:
            self.stop()
            raise ServerError(f"{exc}；详见 {self.log_path}") from None
        log.info("Prefect 服务器已就绪（%.1f 秒）：界面 http://%s:%d", took, HOST, self.port)
        return took

    def stop(self, timeout: float = 20.0) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.info("内置 Prefect 服务器已停止")
