"""Settings for `sureform run`, `sureform serve` and `sureform config`: built-in defaults, then the
config file (`sureform.toml`), then `SUREFORM_…` environment variables, then command-line flags.

Plain Python (no Prefect). Every value is parsed and checked when the settings are loaded, so a bad
value is one clear Chinese message naming the key and where the value came from (the CLI turns
`ConfigError` into exit code 2) instead of a crash hours later.

Relative paths in the config file are relative to the file's folder; relative paths from the
environment, a flag or the defaults are relative to the current working directory.
"""
from __future__ import annotations

import argparse
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Mapping
from sureform.editions import available_editions, local_editions

CONFIG_NAME = "sureform.toml"
CONFIG_ENV = "SUREFORM_CONFIG"
ENV_PREFIX = "SUREFORM_"


class ConfigError(ValueError):
    """An invalid setting; the message is Chinese and names the key."""


# ---- value parsers: each takes the raw value and returns the typed one or raises ValueError(reason) ----------

def _number(raw: Any, *, minimum: float, maximum: float, strict_min: bool = False) -> float:
    if isinstance(raw, bool):
        raise ValueError("应为数字（秒）")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError("应为数字（秒）") from None
    if value != value or (value <= minimum if strict_min else value < minimum) or value > maximum:
        low = f"大于 {minimum:g}" if strict_min else f"不小于 {minimum:g}"
        raise ValueError(f"应{low}且不大于 {maximum:g}")
    return value


def _port(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError("应为 0–65535 的整数")
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ValueError("应为 0–65535 的整数（0 表示自动选择空闲端口）") from None
    if not 0 <= value <= 65535:
        raise ValueError("应为 0–65535 的整数（0 表示自动选择空闲端口）")
    return value


def _whole(low: int, high: int, unit: str) -> Callable[[Any], int]:
    """A parser of whole numbers from `low` to `high` (`unit` names what is counted, for the message)."""
    def parse(raw: Any) -> int:
        message = f"应为 {low}–{high} 的整数（{unit}）"
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise ValueError(message)
        try:
            value = int(raw) if isinstance(raw, float) else int(str(raw).strip())
        except ValueError:
            raise ValueError(message) from None
        if not low <= value <= high:
            raise ValueError(message)
        return value
    return parse


def _text(raw: Any) -> str:
    if not isinstance(raw, (str, int)) or isinstance(raw, bool) or not str(raw).strip():
        raise ValueError("不能为空")
    return str(raw).strip()


def _edition(raw: Any, local: Path | None = None) -> str:
    """A built-in edition's name, an edition file's path, or the name of a local edition (editions/NAME.toml in
    `local`, the settings file's folder), which becomes that file's path."""
    value = _text(raw)
    known = list(available_editions())
    if value.endswith(".toml"):
        if not Path(value).is_file():
            raise ValueError(f"找不到备案表版本文件 {value}")
        return value
    if value not in known:
        locals_ = local_editions(local) if local is not None else {}
        if value in locals_:
            return str(locals_[value].resolve())
        raise ValueError(f"没有这个备案表版本，可用的版本：{'、'.join(known + list(locals_))}")
    return value


def _timezone(raw: Any) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = _text(raw)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("不是有效的时区名称（例如 Asia/Shanghai）") from None
    return value


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
WATCH_MODES = ("auto", "events", "poll")


def _one_of(choices: tuple[str, ...], case: Callable[[str], str]) -> Callable[[Any], str]:
    """A parser for a setting that is one of `choices`, written in any case (`case` is str.upper or str.lower)."""
    def parse(raw: Any) -> str:
        value = case(_text(raw))
        if value not in choices:
            raise ValueError(f"应为 {'、'.join(choices)} 之一")
        return value
    return parse


_watch_mode = _one_of(WATCH_MODES, str.lower)
_log_level = _one_of(LOG_LEVELS, str.upper)


_CRON_FIELDS = (("分钟", 0, 59, {}), ("小时", 0, 23, {}), ("日", 1, 31, {}),
                ("月", 1, 12, {m: i for i, m in enumerate(
                    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}),
                ("星期", 0, 7, {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}))


def _cron(raw: Any) -> str:
    """A standard five-field cron expression (minute hour day month weekday), checked field by field."""
    value = " ".join(_text(raw).split())
    parts = value.split(" ")
    if len(parts) != 5:
        raise ValueError("应为 5 段的 cron 表达式：分 时 日 月 星期，例如 “0 2 * * *” 表示每天 2:00")
    for part, (label, low, high, names) in zip(parts, _CRON_FIELDS):
        for item in part.split(","):
            m = re.fullmatch(r"(\*|[0-9a-z]+(?:-[0-9a-z]+)?)(?:/([0-9]+))?", item.lower())
            if not m or (m.group(2) is not None and int(m.group(2)) == 0):
                raise ValueError(f"cron 表达式的“{label}”段“{part}”无法识别")
            if m.group(1) != "*":
                for bound in m.group(1).split("-"):
                    n = names.get(bound, int(bound) if bound.isdigit() else None)
                    if n is None or not low <= n <= high:
                        raise ValueError(f"cron 表达式的“{label}”段“{part}”超出范围 {low}–{high}")
    return value


def parse_term_starts(raw: Any) -> tuple[tuple[int, int], ...]:
    """Month-day pairs on which a semester starts, e.g. "09-01,02-01"."""
    items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
    out = []
    for item in items:
        m = re.fullmatch(r"\s*(\d{1,2})-(\d{1,2})\s*", str(item))
        try:
            if not m:
                raise ValueError
            month, day = int(m.group(1)), int(m.group(2))
            date(2001, month, day)  # a non-leap year: 02-29 is refused
        except ValueError:
            raise ValueError("应为以逗号分隔的“月-日”，例如 09-01,02-01") from None
        out.append((month, day))
    if not out:
        raise ValueError("至少要有一个学期开始日期")
    return tuple(sorted(set(out)))


def parse_deadline(raw: Any) -> datetime | date | None:
    """The round's deadline (Beijing time): a date (the end of that day) or a date and a time; empty: none."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, datetime):
        return raw.replace(tzinfo=None, second=0, microsecond=0)
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        raise ValueError("应为日期或日期和时间，例如 2020-11-27 或 2020-11-27 18:00")
    text = raw.strip().translate(str.maketrans("０１２３４５６７８９：／　", "0123456789:/ "))
    text = re.sub(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?", r"\1-\2-\3", text).replace("/", "-")
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2})[:：时](\d{2})分?)?", text)
    try:
        if not m:
            raise ValueError
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m.group(4) is None:
            return day
        return datetime(day.year, day.month, day.day, int(m.group(4)), int(m.group(5)))
    except ValueError:
        raise ValueError("应为日期或日期和时间，例如 2020-11-27 或 2020-11-27 18:00") from None


def show_deadline(value) -> str:
    if value is None:
        return ""
    return f"{value:%Y-%m-%d %H:%M}" if isinstance(value, datetime) else value.isoformat()


def _path(raw: Any) -> Path:
    if isinstance(raw, Path):
        return raw
    return Path(os.path.expanduser(_text(raw)))


@dataclass(frozen=True)
class Key:
    name: str
    default: Any
    parse: Callable[[Any], Any]
    help: str
    metavar: str = "VALUE"

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


KEYS: tuple[Key, ...] = (
    Key("inbox", "inbox", _path, "收件文件夹：各系放入表格的共享文件夹（可以是 SMB/NFS 挂载点）", "DIR"),
    Key("outbox", "outbox", _path, "输出文件夹：退回标注、汇总.xlsx 和文档", "DIR"),
    Key("state", "state", _path, "状态文件夹：汇总数据库、存档、运行锁和 Prefect 数据（请放在本机磁盘上）", "DIR"),
    Key("poll_interval", 10.0, lambda v: _number(v, minimum=0, maximum=3600, strict_min=True),
        "检查收件文件夹的间隔（秒）", "SECONDS"),
    Key("stability_window", 3.0, lambda v: _number(v, minimum=0, maximum=3600),
        "文件大小和修改时间保持不变多少秒后才视为已写完（秒）", "SECONDS"),
    Key("watch", "auto", _watch_mode, "怎样发现新文件：auto（本机磁盘用文件变化通知，SMB/NFS 等共享盘定时检查）、"
        "events（总用通知，同时定时检查）、poll（只定时检查）", "MODE"),
    Key("schedule", "0 2 * * *", _cron, "夜间汇总的时间（cron：分 时 日 月 星期）", "CRON"),
    Key("timezone", "Asia/Shanghai", _timezone, "定时和“今天”所用的时区", "TZ"),
    Key("edition", "2020", _edition, "备案表（评估规则）版本", "EDITION"),
    Key("log_level", "INFO", _log_level, "日志级别：DEBUG、INFO、WARNING、ERROR", "LEVEL"),
    Key("server_port", 4200, _port, "内置 Prefect 服务器的端口（仅本机 127.0.0.1；0 表示自动选择）", "PORT"),
    Key("term_starts", "09-01,02-01", parse_term_starts, "学期开始日期（月-日，逗号分隔），用于统计本学期未报送的单位", "MM-DD,…"),
    Key("lock_wait", 600.0, lambda v: _number(v, minimum=0, maximum=86400),
        "另一次处理正在进行时最多等待的秒数，超时则本次跳过", "SECONDS"),
    Key("history_days", 30, _whole(1, 3650, "天"), "outbox/历史/ 中保留最近多少天的全部旧版文档，更早的每个文档每月只留最新的一份", "DAYS"),
    Key("prefect_history_days", 30, _whole(1, 3650, "天"), "Prefect 中的运行记录（日志、任务、摘要）保留多少天，由夜间汇总清理", "DAYS"),
    Key("max_rows", 20000, _whole(100, 1048576, "行"), "一个工作表最多读取的行数，更长的表格不予接收", "ROWS"),
    Key("max_columns", 200, _whole(20, 16384, "列"), "一个工作表最多读取的列数，更宽的表格不予接收", "COLUMNS"),
    Key("read_memory_mb", 1024, _whole(64, 65536, "MB"), "读取一个文件时最多可用的内存（MB），超过则该文件不予接收", "MB"),
    Key("read_seconds", 60.0, lambda v: _number(v, minimum=1, maximum=3600), "读取一个文件最多用时（秒），超过则该文件不予接收",
        "SECONDS"),
    Key("zip_member_mb", 100, _whole(1, 4096, "MB"), ".xlsx 等压缩格式中单个部件解压后的大小上限（MB）", "MB"),
    Key("zip_ratio", 100, _whole(10, 10000, "倍"), ".xlsx 等压缩格式中超过 1 MB 的部件的压缩比上限（防止“压缩炸弹”）", "RATIO"),
    Key("deadline", None, parse_deadline, "本轮报送的截止时间（北京时间），例如 2020-11-27 或 2020-11-27 18:00；"
        "进度页显示倒计时，夜间汇总列出逾期未报齐的单位（默认不设）", "DATE"),
)
KEY_NAMES = {k.name: k for k in KEYS}
PATH_KEYS = ("inbox", "outbox", "state")

SOURCE_DEFAULT = "默认值"


@dataclass(frozen=True)
class Settings:
    inbox: Path
    outbox: Path
    state: Path
    poll_interval: float
    stability_window: float
    watch: str
    schedule: str
    timezone: str
    edition: str
    log_level: str
    server_port: int
    term_starts: tuple[tuple[int, int], ...]
    lock_wait: float
    history_days: int
    prefect_history_days: int
    max_rows: int
    max_columns: int
    read_memory_mb: int
    read_seconds: float
    zip_member_mb: int
    zip_ratio: int
    deadline: date | None = None
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    config_file: Path | None = field(default=None, compare=False)

    def today(self) -> date:
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo(self.timezone)).date()

    def display(self, name: str) -> str:
        value = getattr(self, name)
        if name == "term_starts":
            return ",".join(f"{m:02d}-{d:02d}" for m, d in value)
        if name == "deadline":
            return show_deadline(value)
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    def read_limits(self) -> dict[str, Any]:
        """What one input file may ask for, as `sureform.intake.grid.ReadLimits` takes it."""
        return {"max_rows": self.max_rows, "max_columns": self.max_columns, "memory_mb": self.read_memory_mb,
                "seconds": self.read_seconds, "zip_member_mb": self.zip_member_mb, "zip_ratio": self.zip_ratio}

    def as_dict(self) -> dict[str, str]:
        return {k.name: self.display(k.name) for k in KEYS}

    def check_serve(self) -> None:
        """What `serve` needs beyond valid values: an existing inbox that is not inside the state or outbox."""
        if not self.inbox.is_dir():
            raise ConfigError(f"设置 inbox 无效（来自{self.sources.get('inbox', SOURCE_DEFAULT)}）："
                              f"收件文件夹 {self.inbox} 不存在或不是文件夹（共享盘是否已挂载？）")


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"找不到配置文件 {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 格式错误（TOML）：{exc}") from None
    if isinstance(data.get("sureform"), dict) and len(data) == 1:
        data = data["sureform"]  # a [sureform] table is accepted too
    unknown = [k for k in data if k not in KEY_NAMES and k != REVIEW_TABLE]
    if unknown:
        raise ConfigError(f"配置文件 {path} 中有未知的设置项：{'、'.join(unknown)}；"
                          f"可用的设置项：{'、'.join(KEY_NAMES)}")
    return data


def find_config_file(explicit: Path | str | None, env: Mapping[str, str], cwd: Path) -> Path | None:
    if explicit:
        return (cwd / Path(explicit).expanduser()).resolve()
    if env.get(CONFIG_ENV):
        return (cwd / Path(env[CONFIG_ENV]).expanduser()).resolve()
    candidate = cwd / CONFIG_NAME
    return candidate.resolve() if candidate.is_file() else None


def load_settings(flags: Mapping[str, Any] | None = None, *, config_path: Path | str | None = None,
                  env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Defaults < config file < environment < flags. `flags` maps key names to values; None means not given."""
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else Path(cwd)
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    for name in flags:
        if name not in KEY_NAMES:
            raise ConfigError(f"未知的设置项：{name}")
    file = find_config_file(config_path, env, cwd)
    file_values = _read_file(file) if file is not None else {}

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key in KEYS:
        base = cwd
        if key.name in flags:
            raw, source = flags[key.name], f"命令行 {key.flag}"
        elif env.get(key.env, "").strip():
            raw, source = env[key.env], f"环境变量 {key.env}"
        elif key.name in file_values:
            raw, source = file_values[key.name], f"配置文件 {file}"
            base = file.parent
        else:
            raw, source = key.default, SOURCE_DEFAULT
        try:
            value = _edition(raw, file.parent if file else cwd) if key.name == "edition" else key.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"设置 {key.name} 的值 {raw!r} 无效（来自{source}）：{exc}") from None
        if key.name in PATH_KEYS:
            value = (base / value).resolve()
        values[key.name], sources[key.name] = value, source

    settings = Settings(**values, sources=sources, config_file=file)
    _check_folders(settings)
    return settings


def _check_folders(s: Settings) -> None:
    """The three folders must be distinct, and neither outputs nor state may sit inside the inbox."""
    def inside(a: Path, b: Path) -> bool:
        return a == b or b in a.parents

    for name in ("outbox", "state"):
        path = getattr(s, name)
        if inside(path, s.inbox) or inside(s.inbox, path):
            raise ConfigError(f"设置 {name} 无效（来自{s.sources[name]}）：{path} 与收件文件夹 {s.inbox} 重叠，"
                              "输出和状态文件夹不能放在收件文件夹里面（否则会被当作新提交的文件）")
    if s.outbox == s.state:
        raise ConfigError(f"设置 state 无效（来自{s.sources['state']}）：状态文件夹不能和输出文件夹相同（{s.state}）")


# ---- command line -----------------------------------------------------------------------------------------

def add_config_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help=f"配置文件（默认：环境变量 {CONFIG_ENV}，否则当前文件夹下的 {CONFIG_NAME}，如果有）")


def add_setting_flags(parser: argparse.ArgumentParser, names: tuple[str, ...] | None = None) -> None:
    """One `--key` flag per setting, dest `cfg_<key>`, default None (= not given)."""
    for key in KEYS:
        if names is None or key.name in names:
            default = key.default if not isinstance(key.default, float) else f"{key.default:g}"
            default = "不设" if default is None else default
            parser.add_argument(key.flag, dest=f"cfg_{key.name}", default=None, metavar=key.metavar,
                                help=f"{key.help}（默认 {default}；环境变量 {key.env}）")


def flags_from_args(args: argparse.Namespace) -> dict[str, Any]:
    return {k.name: getattr(args, f"cfg_{k.name}", None) for k in KEYS}


def render(settings: Settings) -> str:
    """The effective settings as TOML, each with where it came from (for `sureform config`)."""
    import json

    lines = [f"# 生效的设置（配置文件：{settings.config_file or '无'}）"]
    width = max(len(k.name) for k in KEYS)
    for key in KEYS:
        value = getattr(settings, key.name)
        shown = settings.display(key.name)
        literal = shown if isinstance(value, (int, float)) and not isinstance(value, bool) else json.dumps(
            shown, ensure_ascii=False)
        lines.append(f"{key.name:<{width}} = {literal:<28} # 来自{settings.sources.get(key.name, SOURCE_DEFAULT)}")
    return "\n".join(lines)


# ---- the provincial review (`sureform review`): a [review] table of its own -----------------------------------
REVIEW_TABLE = "review"
REVIEW_DEFAULTS = {"inbox": "review/inbox", "outbox": "review/outbox", "state": "review/state", "sample": 0.2,
                   "seed": 0}


@dataclass(frozen=True)
class ReviewSettings:
    inbox: Path
    outbox: Path
    state: Path
    sample: float
    seed: int
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)


def load_review_settings(flags: Mapping[str, Any] | None = None, *, config_path: Path | str | None = None,
                         env: Mapping[str, str] | None = None, cwd: Path | None = None) -> ReviewSettings:
    """The review's folders and visit sample: defaults (review/inbox, review/outbox, review/state, 0.2, 0) <
    the settings file's [review] table < flags; a college's own filing and a province's review never mix."""
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else Path(cwd)
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    file = find_config_file(config_path, env, cwd)
    table = (_read_file(file).get(REVIEW_TABLE) if file is not None else None) or {}
    if not isinstance(table, dict):
        raise ConfigError(f"配置文件 {file} 中的 review 应为一个表（[review]）")
    unknown = [k for k in table if k not in REVIEW_DEFAULTS]
    if unknown:
        raise ConfigError(f"配置文件 {file} 的 [review] 中有未知的设置项：{'、'.join(unknown)}；"
                          f"可用的设置项：{'、'.join(REVIEW_DEFAULTS)}")
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, default in REVIEW_DEFAULTS.items():
        base = cwd
        if name in flags:
            raw, source = flags[name], f"命令行 --{name}"
        elif name in table:
            raw, source, base = table[name], f"配置文件 {file} [review]", file.parent
        else:
            raw, source = default, SOURCE_DEFAULT
        try:
            if name in ("inbox", "outbox", "state"):
                value = (base / _path(raw)).resolve()
            elif name == "sample":
                value = _number(raw, minimum=0, maximum=1)
            else:
                value = _whole(0, 2 ** 31 - 1, "")(raw)
        except ValueError as exc:
            raise ConfigError(f"设置 review.{name} 的值 {raw!r} 无效（来自{source}）：{exc}") from None
        values[name], sources[name] = value, source
    settings = ReviewSettings(**values, sources=sources)
    if settings.state == settings.outbox or settings.inbox in (settings.state, settings.outbox):
        raise ConfigError("复评的收件、输出和状态文件夹必须是三个不同的文件夹")
    return settings
