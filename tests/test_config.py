"""Settings: defaults < sureform.toml < SUREFORM_* environment < flags; a bad value is a clear error, exit 2."""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from sureform import cli
from sureform.config import KEYS, ConfigError, load_settings


@pytest.fixture
def clean(monkeypatch, tmp_path):
    """cwd = tmp_path, no SUREFORM_* or PREFECT_API_URL in the environment."""
    import os

    for k in list(os.environ):
        if k.startswith("SUREFORM_") or k == "PREFECT_API_URL":
            monkeypatch.delenv(k)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_config(folder: Path, text: str, name: str = "sureform.toml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file_env_or_flags(clean):
    s = load_settings(env={}, cwd=clean)
    assert s.config_file is None
    assert (s.inbox, s.outbox, s.state) == (clean / "inbox", clean / "outbox", clean / "state")
    assert (s.poll_interval, s.stability_window, s.schedule, s.timezone) == (10, 3, "0 2 * * *", "Asia/Shanghai")
    assert (s.edition, s.log_level, s.server_port, s.lock_wait) == ("2020", "INFO", 4200, 600)
    assert s.term_starts == ((2, 1), (9, 1))
    assert set(s.sources.values()) == {"默认值"}
    assert [k.env for k in KEYS][:3] == ["SUREFORM_INBOX", "SUREFORM_OUTBOX", "SUREFORM_STATE"]


def test_file_then_env_then_flag(clean):
    write_config(clean, 'poll_interval = 20\nstability_window = 4\nschedule = "30 1 * * *"\nedition = "2020"\n')
    env = {"SUREFORM_STABILITY_WINDOW": "5", "SUREFORM_SCHEDULE": "0 3 * * 1-5"}
    s = load_settings({"schedule": "15 4 * * *"}, env=env, cwd=clean)
    assert s.config_file == clean / "sureform.toml"
    assert s.poll_interval == 20 and s.sources["poll_interval"].startswith("配置文件")
    assert s.stability_window == 5 and s.sources["stability_window"] == "环境变量 SUREFORM_STABILITY_WINDOW"
    assert s.schedule == "15 4 * * *" and s.sources["schedule"] == "命令行 --schedule"
    assert s.sources["timezone"] == "默认值"


def test_empty_environment_variable_counts_as_unset(clean):
    write_config(clean, "poll_interval = 20\n")
    assert load_settings(env={"SUREFORM_POLL_INTERVAL": " "}, cwd=clean).poll_interval == 20


def test_paths_in_the_file_are_relative_to_the_file_others_to_the_cwd(clean):
    conf = write_config(clean / "etc", 'inbox = "共享/收件"\nstate = "/var/lib/sureform"\n')
    s = load_settings({"outbox": "out"}, config_path=conf, env={}, cwd=clean)
    assert s.inbox == clean / "etc" / "共享" / "收件"
    assert s.state == Path("/var/lib/sureform")
    assert s.outbox == clean / "out"
    s = load_settings(env={"SUREFORM_CONFIG": str(conf), "SUREFORM_INBOX": "in"}, cwd=clean)
    assert s.config_file == conf and s.inbox == clean / "in"


def test_a_sureform_table_is_accepted(clean):
    write_config(clean, "[sureform]\npoll_interval = 7\n")
    assert load_settings(env={}, cwd=clean).poll_interval == 7


@pytest.mark.parametrize("key,value,words", [
    ("poll_interval", "abc", "应为数字"),
    ("poll_interval", "0", "大于 0"),
    ("stability_window", "-1", "不小于 0"),
    ("schedule", "0 2 * *", "5 段"),
    ("schedule", "0 24 * * *", "小时"),
    ("schedule", "*/0 * * * *", "分钟"),
    ("timezone", "Asia/Beijing", "时区"),
    ("edition", "1999", "版本"),
    ("log_level", "loud", "DEBUG"),
    ("server_port", "http", "整数"),
    ("term_starts", "02-30", "月-日"),
    ("lock_wait", "forever", "应为数字"),
    ("history_days", "0", "1–3650 的整数"),
    ("prefect_history_days", "2.5", "1–3650 的整数"),
])
def test_invalid_values_name_the_key_and_the_source(clean, key, value, words):
    env_name = "SUREFORM_" + key.upper()
    with pytest.raises(ConfigError) as err:
        load_settings(env={env_name: value}, cwd=clean)
    message = str(err.value)
    assert key in message and words in message and env_name in message


def test_valid_cron_forms(clean):
    for cron in ("0 2 * * *", "*/15 8-18 * * mon-fri", "0 2 1,15 * *", "30 23 * 9-12 0", "0 0 * jan sun"):
        assert load_settings({"schedule": cron}, env={}, cwd=clean).schedule == cron


def test_file_errors(clean):
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_settings(config_path=clean / "nope.toml", env={}, cwd=clean)
    write_config(clean, "poll_interval = = 3\n")
    with pytest.raises(ConfigError, match="格式错误"):
        load_settings(env={}, cwd=clean)
    write_config(clean, "poll_intervall = 3\n")
    with pytest.raises(ConfigError, match="poll_intervall"):
        load_settings(env={}, cwd=clean)
    write_config(clean, 'poll_interval = "soon"\n')
    with pytest.raises(ConfigError, match="配置文件"):
        load_settings(env={}, cwd=clean)


def test_folders_must_not_overlap_the_inbox(clean):
    with pytest.raises(ConfigError, match="state"):
        load_settings({"inbox": "share", "state": "share/state"}, env={}, cwd=clean)
    with pytest.raises(ConfigError, match="outbox"):
        load_settings({"inbox": "share/in", "outbox": "share"}, env={}, cwd=clean)
    with pytest.raises(ConfigError, match="state"):
        load_settings({"outbox": "x", "state": "x"}, env={}, cwd=clean)


def test_cli_config_prints_values_and_sources(clean, capsys, monkeypatch):
    write_config(clean, "poll_interval = 20\n")
    monkeypatch.setenv("SUREFORM_STABILITY_WINDOW", "2.5")
    assert cli.main(["config", "--schedule", "0 4 * * *"]) == 0
    out = capsys.readouterr().out
    assert re.search(r'^schedule += "0 4 \* \* \*" ', out, re.M) and "命令行 --schedule" in out
    assert re.search(r"^stability_window += 2\.5 ", out, re.M) and "环境变量 SUREFORM_STABILITY_WINDOW" in out
    assert re.search(r"^poll_interval += 20 ", out, re.M) and "配置文件" in out
    assert cli.main(["config", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["poll_interval"] == {"value": "20", "source": f"配置文件 {clean / 'sureform.toml'}"}


@pytest.mark.parametrize("argv", [["serve", "--poll-interval", "0"], ["config", "--timezone", "Mars/Base"],
                                  ["run", "--edition", "1999"]])
def test_cli_invalid_setting_exits_2_with_a_chinese_message(clean, capsys, argv):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "无效" in err and argv[1].lstrip("-").replace("-", "_").split("_")[0] in err


def test_cli_invalid_setting_from_the_environment_exits_2(clean, capsys, monkeypatch):
    monkeypatch.setenv("SUREFORM_LOG_LEVEL", "chatty")
    assert cli.main(["config"]) == 2
    assert "log_level" in capsys.readouterr().err


def test_serve_refuses_a_missing_inbox(clean, capsys):
    assert cli.main(["serve", "--inbox", "no/such/share"]) == 2
    assert "不存在" in capsys.readouterr().err


def test_run_takes_its_defaults_from_the_config_and_flags_still_win(clean, capsys):
    from conftest import person, write_xlsx, HEADER

    write_config(clean, 'inbox = "收件"\noutbox = "输出"\nstate = "状态"\nstability_window = 0\n')
    write_xlsx(clean / "收件" / "石油工程系" / "名单.xlsx", [HEADER, person()])
    assert cli.main(["run", "--json", "--as-of", "2026-11-24"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [f["status"] for f in report["files"]] == ["accepted"]
    assert (clean / "输出" / "汇总.xlsx").exists() and (clean / "状态" / "master.sqlite").exists()
    write_xlsx(clean / "other" / "机电工程系" / "名单.xlsx", [HEADER, person(sid="2024020101", unit="机电工程系")])
    assert cli.main(["run", "--json", "--as-of", "2026-11-24", "--inbox", "other", "--settle", "0"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["master"] == {"roster": 2}


def test_the_example_config_documents_every_key_with_its_default(clean):
    """sureform.toml at the repository root: every key, commented out, with the built-in default."""
    example = Path(__file__).resolve().parents[1] / "sureform.toml"
    text = example.read_text(encoding="utf-8")
    uncommented = "\n".join(line[1:] if re.match(r"#[a-z_]+ = ", line) else line for line in text.splitlines())
    conf = write_config(clean, uncommented, "example.toml")
    from_example = load_settings(config_path=conf, env={}, cwd=clean)
    defaults = load_settings(env={}, cwd=clean)
    assert set(from_example.sources.values()) == {f"配置文件 {conf}"}  # every key is there
    assert from_example == defaults
    assert load_settings(config_path=example, env={}, cwd=clean).sources == defaults.sources  # all commented out


@pytest.mark.parametrize("raw,value", [
    ("2020-11-27", date(2020, 11, 27)), ("2020-11-27 18:00", datetime(2020, 11, 27, 18, 0)),
    ("2020年11月27日 18:00", datetime(2020, 11, 27, 18, 0)), ("２０２０/11/27", date(2020, 11, 27)),
    ("", None), (date(2020, 11, 27), date(2020, 11, 27)), (datetime(2020, 11, 27, 18, 0), datetime(2020, 11, 27, 18, 0)),
])
def test_the_deadline_is_a_date_or_a_date_and_time(clean, raw, value):
    assert load_settings({"deadline": raw}, env={}, cwd=clean).deadline == value


def test_a_bad_deadline_is_named(clean):
    with pytest.raises(ConfigError, match=r"设置 deadline 的值 '下周五' 无效.*2020-11-27 18:00"):
        load_settings({"deadline": "下周五"}, env={}, cwd=clean)
    with pytest.raises(ConfigError, match="deadline"):
        load_settings({"deadline": "2020-02-30"}, env={}, cwd=clean)
