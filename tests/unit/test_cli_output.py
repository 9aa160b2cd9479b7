"""What `cdp` prints: `--help` lists the settings, the run's log file, the short summary."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from cdp.cli.console import make_console, plain_console
from cdp.cli.log_file import LineSink, open_run_log
from cdp.cli.progress import Stage
from cdp.cli.report import print_summary, summary_document
from cdp.cli.summary import ExportRun, RunSummary, WarningClass
from cdp.core.errors import CdpError
from cdp.core.settings import DBT_PROFILE_VARIABLES, VARIABLES, Settings

REPO = Path(__file__).resolve().parents[2]
ENV_VAR = re.compile(r"env_var\('(CDP_\w+)'(?:,\s*'([^']*)')?\)")


def test_help_lists_every_cdp_variable_with_its_default() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cdp")), "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "100"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.replace("│", " ").split())
    for variable in (*VARIABLES.values(), *DBT_PROFILE_VARIABLES):
        assert f"{variable.name} (default {variable.default_text}): {variable.meaning}" in text


def test_every_setting_and_every_variable_dbt_reads_is_declared_once() -> None:
    fields = {f.name for f in dataclasses.fields(Settings)}
    assert set(VARIABLES) == fields
    declared = {v.name: v for v in (*VARIABLES.values(), *DBT_PROFILE_VARIABLES)}
    assert len(declared) == len(VARIABLES) + len(DBT_PROFILE_VARIABLES)
    read_by_dbt = {}
    for name in ("profiles.yml", "dbt_project.yml"):
        read_by_dbt |= dict(ENV_VAR.findall((REPO / "dbt_project" / name).read_text()))
    assert read_by_dbt, "the pattern no longer finds dbt's env_var() calls"
    for name, default in read_by_dbt.items():
        assert name in declared, f"{name} is read by dbt but not declared in cdp/core/settings.py"
        if declared[name].default is not None:
            assert declared[name].default == default, name


def test_settings_defaults_come_from_the_declarations(tmp_path: Path) -> None:
    settings = Settings.from_env({"CDP_WAREHOUSE": str(tmp_path / "w" / "cdp.duckdb")})
    assert settings.landing_dir == Path(VARIABLES["landing_dir"].default).resolve()
    assert settings.webhook_batch_size == int(VARIABLES["webhook_batch_size"].default)
    assert settings.parquet_dir == tmp_path / "w" / "parquet"
    assert settings.webhook_url is None and settings.suppression_file is None


def test_run_logs_keep_the_latest_and_never_overwrite_one(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse" / "cdp.duckdb"
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)  # runs in the same second
    for n in range(5):
        log = open_run_log(warehouse, moment, keep=3)
        log.line(f"\x1b[32mOK\x1b[0m run {n}")
        log.close()
    kept = sorted((tmp_path / "warehouse" / "logs").glob("run-*.log"))
    assert sorted(path.read_text() for path in kept) == ["OK run 2\n", "OK run 3\n", "OK run 4\n"]


def test_a_log_folder_that_cannot_be_made_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "logs").write_text("a file where the folder should be")
    with pytest.raises(CdpError, match="Cannot write the run's log file"):
        open_run_log(tmp_path / "cdp.duckdb", datetime.now(UTC))


def test_line_sink_hands_over_whole_lines() -> None:
    lines: list[str] = []
    sink = LineSink(lines.append)
    sink.write("one\ntw")
    sink.write("o\nthree")
    assert lines == ["one", "two"]
    sink.close_pending()
    assert lines == ["one", "two", "three"]


def test_a_console_on_a_pipe_is_plain_and_wide() -> None:
    stream = io.StringIO()
    console = make_console(stream)
    assert not console.is_terminal and console.width > 1000
    console.print("[red]" + "x" * 300 + "[/red]")
    assert stream.getvalue() == "x" * 300 + "\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_color_is_honoured_on_a_terminal(monkeypatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    coloured = _Terminal()
    make_console(coloured).print("[red]alert[/red]")
    assert "\x1b[31m" in coloured.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = _Terminal()
    make_console(plain).print("[red]alert[/red]")
    assert "alert" in plain.getvalue() and "\x1b[31m" not in plain.getvalue()


def _summary(files: int) -> RunSummary:
    summary = RunSummary()
    summary.files = [
        ("mailchimp_sent_to", f"mailchimp/sent_to_{n:04d}.json", "loaded", 10, "")
        for n in range(files)
    ] + [
        ("shopify_orders", "shopify/orders_1.json", "loaded", 0, "no records"),
        ("shopify_web_events", "shopify/segment_1.jsonl", "loaded", 5, "read as Segment; 2 failed"),
        ("shopify_web_events", "shopify/segment_2.jsonl", "loaded", 5, "read as Segment; 7 failed"),
    ]
    summary.raw_rows = {"mailchimp_sent_to": 10 * files, "shopify_orders": 0}
    summary.people, summary.profiles, summary.identifiers = 7, 7, 20
    summary.segments = {"vip_customers": 3}
    summary.exports = [
        ExportRun("mailchimp", "vip_customers", "unchanged", 3, 3, 0, "/x/mailchimp/vip.csv"),
        ExportRun("hubspot", "vip_customers", "written", 2, 3, 1, "/x/hubspot/vip.csv"),
    ]
    summary.warnings = [WarningClass("quarantined record", "bad row", 2, ["a.csv line 3"])]
    return summary


def test_short_summary_has_one_line_per_source_table_and_names_unchanged_exports() -> None:
    settings = Settings.from_env({})
    stream = io.StringIO()
    print_summary(_summary(400), settings, plain_console(stream))
    text = stream.getvalue()
    assert len(text.splitlines()) < 30, text
    assert "sent_to_0001" not in text
    assert re.search(r"mailchimp_sent_to\s+400\s+4,000\s+4,000", text), text
    assert "Note on shopify/orders_1.json: no records" in text
    assert "Note on 2 files, e.g. shopify/segment_1.jsonl: 2 failed" in text
    assert text.count("read as Segment") == 1
    assert "unchanged since the last run (no file written): mailchimp/vip_customers" in text
    full = io.StringIO()
    print_summary(_summary(400), settings, plain_console(full), full=True)
    assert "sent_to_0399" in full.getvalue() and "/x/hubspot/vip.csv" in full.getvalue()


def test_json_summary_document(tmp_path: Path) -> None:
    outcome = SimpleNamespace(
        failures=[], not_built=[], skipped_steps=[], dbt_warnings=[], check_warnings=[]
    )
    stage = Stage("ingestion", units={"raw__a": 1}, ended={"raw__a"}, assets=1, rows=9)
    document = summary_document(
        _summary(2), [stage], outcome, True, Settings.from_env({}), tmp_path / "x.log", []
    )
    document = json.loads(json.dumps(document))
    assert document["outcome"] == "completed_with_warnings"
    assert document["stages"][0]["rows"] == 9 and document["stages"][0]["status"] == "done"
    assert document["exports_unchanged"] == ["mailchimp/vip_customers"]
    assert document["files_written"] == ["/x/hubspot/vip.csv"]
    assert document["people_resolved"] == 7 and document["segments"] == {"vip_customers": 3}
    assert document["warnings"][0]["class"] == "quarantined record"
