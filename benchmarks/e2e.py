"""End-to-end benchmark: the whole `cdp run` on demo exports, against DuckDB's bare readers.

For each size (people) and landing layout, this script
  1. prepares the landing folder under --workdir, or reuses it when a folder with the
     benchmark's marker (`.bench-e2e.json`: size, seed, layout, as-of) is already there:
     - `monthly`: `cdp demo-data --people N --seed 11 --as-of 2025-06-30T12:00:00`, the
       generator's own layout (web events and Square exports per month, Shopify REST pages of
       250 orders, one file per Mailchimp campaign report);
     - `daily`: the same exports re-split into one file per day for web events, orders and
       Square transactions / items, in each tool's naming (benchmarks/daily_files.py; the
       generator has no such option);
     The demo marker (`.cdp-demo-data.json`) is moved out of the landing folder, as a real
     landing folder has none: with it, `cdp run` would hash every file once more before the
     job to recognise demo output.
  2. runs `cdp run --as-of 2025-06-30T12:00:00` as a subprocess with its own environment (every
     inherited CDP_* variable dropped; landing, truth, warehouse, exports and DAGSTER_HOME in
     the size's run folder, which starts empty): wall time, CPU time and the peak RSS of the
     whole process tree (Dagster, the dbt subprocesses; psutil, every 50 ms);
  3. splits the wall time into stages from the Dagster run's step stats (DAGSTER_HOME's
     instance, `get_run_step_stats`: start / end of every step) and, inside the dbt steps, from
     dbt's `run_results.json` (dbt_project/target/<step>-<run id[:7]>-*/):
     - startup: process start to the first step's start (Python and Dagster imports, the CLI's
       landing checks, `dbt parse` of the project, loading the definitions, starting the run);
     - ingestion: the `raw__*` steps (one per raw table, `raw__phone_numbers` included) and the
       raw table checks (`raw_table_checks`);
     - identity: inside the three dbt steps (`cdp_dbt_matching_inputs`, `cdp_dbt_models`,
       `cdp_dbt_prediction_models`), the time during which at least one identity node runs:
       models under models/intermediate/identity, the identity marts (`identity_*`,
       `person_identifiers`), the `identity_*` seeds and the tests on them (dbt runs two
       threads: time shared with a non-identity node counts as identity);
     - other_dbt: the rest of the three dbt steps (dbt's start, hooks, staging, profiles, CRM
       marts, segments, predictive models, their tests);
     - matching: the Splink scoring asset (`identity_matching__record_pairs`);
     - predictive: the predictive asset (`predictive__customer_predictions`);
     - exports: the `exports__*` steps (files and their checks);
     - other_steps: any other step (none in the default job);
     - dagster_overhead: time between steps inside the run;
     - finish: last step's end to process exit (the run summary the CLI prints).
     The stages add up to the run's wall time;
  4. in this process, times DuckDB's bare readers over the same landing files: one
     `read_csv` / `read_json` (auto-detect, `union_by_name`, `filename=true`) per kind of file
     (files of one tool folder matching one file pattern of ingestion/sources.py), each into a
     table of a fresh DuckDB file: `bare_read_seconds` is their sum;
  5. checks what the loader did (meta.ingested_files): every landing file loaded, nothing
     quarantined, and for the daily layout rows in = rows loaded per split table (the records
     the re-splitter wrote against the rows the loader loaded from them).

Results go to benchmarks/results/e2e.json (one entry per size and layout, merged with the
entries of earlier invocations for other sizes / layouts; machine, versions, load averages)
and a table is printed. A benchmark run by hand (benchmarks/README.md), not a test:

    PYTHONPATH=. .venv/bin/python benchmarks/e2e.py                         # 100k and 1M, both
    PYTHONPATH=. .venv/bin/python benchmarks/e2e.py --sizes 1000 --layout daily   # smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from fnmatch import fnmatch
from importlib import metadata
from pathlib import Path

import duckdb
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.daily_files import split_by_day  # noqa: E402
from benchmarks.identity import run_measured  # noqa: E402
from ingestion.sources import SOURCES, tool_of_folder  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "e2e.json"
WORKDIR = REPO / "benchmarks" / ".work" / "e2e"
DBT_TARGET = REPO / "dbt_project" / "target"
AS_OF = "2025-06-30T12:00:00"
SEED = 11
DEFAULT_SIZES = (100_000, 1_000_000)
LAYOUTS = ("monthly", "daily")
READY = ".bench-e2e.json"
DEMO_MARKER = ".cdp-demo-data.json"
GIB = 1024**3

DBT_STEPS = ("cdp_dbt_matching_inputs", "cdp_dbt_models", "cdp_dbt_prediction_models")
STAGES = (
    "startup",
    "ingestion",
    "identity",
    "other_dbt",
    "matching",
    "predictive",
    "exports",
    "other_steps",
    "dagster_overhead",
    "finish",
)
# DuckDB refuses a JSON document larger than this by default (16 MB): a campaign's sent-to
# report at 1M people is larger.
MAX_JSON_OBJECT = 1 << 30


# --------------------------------------------------------------------------------------------
# Landing folders
# --------------------------------------------------------------------------------------------


def cdp_executable() -> str:
    return str(Path(sys.executable).with_name("cdp"))


def cdp_environ(root: Path, landing: Path, truth: Path, memory_limit: str | None) -> dict:
    """The run's own environment: no inherited CDP_* setting, every path under `root`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDP_")}
    env.update(
        PYTHONPATH=str(REPO),
        CDP_LANDING_DIR=str(landing),
        CDP_TRUTH_DIR=str(truth),
        CDP_WAREHOUSE=str(root / "warehouse" / "cdp.duckdb"),
        CDP_EXPORTS_DIR=str(root / "exports"),
        DAGSTER_HOME=str(root / "dagster_home"),
        COLUMNS="200",
    )
    if memory_limit:
        env["CDP_DUCKDB_MEMORY_LIMIT"] = memory_limit
    return env


def data_folder(workdir: Path, people: int, seed: int, layout: str) -> Path:
    return workdir.resolve() / "data" / f"people-{people}-seed-{seed}-{layout}"


def landing_files(landing: Path) -> list[Path]:
    return sorted(p for p in landing.rglob("*") if p.is_file() and not p.name.startswith("."))


def _ready(folder: Path, about: dict) -> dict | None:
    """The marker of a finished preparation with the same size, seed, layout and as-of."""
    try:
        found = json.loads((folder / READY).read_text())
    except (OSError, ValueError):
        return None
    return found if all(found.get(k) == v for k, v in about.items()) else None


def _finish(folder: Path, about: dict, extra: dict) -> dict:
    files = landing_files(folder / "landing")
    info = {
        **about,
        **extra,
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "prepared_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    (folder / READY).write_text(json.dumps(info, indent=2) + "\n")
    return info


def prepare_monthly(workdir: Path, people: int, seed: int, log) -> tuple[Path, dict]:
    folder = data_folder(workdir, people, seed, "monthly")
    about = {"people": people, "seed": seed, "layout": "monthly", "as_of": AS_OF}
    if found := _ready(folder, about):
        log(f"reusing {folder}")
        return folder, found
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    log(f"cdp demo-data --people {people:,} --seed {seed} into {folder}…")
    env = cdp_environ(folder / "scratch", folder / "landing", folder / "ground_truth", None)
    started = time.perf_counter()
    with (folder / "demo-data.log").open("w") as out:
        subprocess.run(
            [cdp_executable(), "demo-data", "--people", str(people), "--seed", str(seed)]
            + ["--as-of", AS_OF],
            env=env,
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    seconds = time.perf_counter() - started
    shutil.rmtree(folder / "scratch", ignore_errors=True)
    # A real landing folder has no demo marker (see the module docstring); kept for the record.
    (folder / "landing" / DEMO_MARKER).rename(folder / "demo-data-marker.json")
    return folder, _finish(folder, about, {"generated_seconds": round(seconds, 1)})


def prepare_daily(workdir: Path, people: int, seed: int, log) -> tuple[Path, dict]:
    folder = data_folder(workdir, people, seed, "daily")
    about = {"people": people, "seed": seed, "layout": "daily", "as_of": AS_OF}
    if found := _ready(folder, about):
        log(f"reusing {folder}")
        return folder, found
    monthly, _ = prepare_monthly(workdir, people, seed, log)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    log(f"splitting {monthly.name} into one file per day…")
    started = time.perf_counter()
    report = split_by_day(monthly / "landing", folder / "landing")
    seconds = time.perf_counter() - started
    extra = {"split_seconds": round(seconds, 1), "ground_truth": str(monthly / "ground_truth")}
    return folder, _finish(folder, about, {**extra, **report.as_dict()})


def prepare(workdir: Path, people: int, seed: int, layout: str, log) -> tuple[Path, dict]:
    if layout == "daily":
        return prepare_daily(workdir, people, seed, log)
    return prepare_monthly(workdir, people, seed, log)


# --------------------------------------------------------------------------------------------
# The run and its stages
# --------------------------------------------------------------------------------------------


def run_pipeline(run_dir: Path, landing: Path, truth: Path, memory_limit: str | None) -> dict:
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    env = cdp_environ(run_dir, landing, truth, memory_limit)
    command = [cdp_executable(), "run", "--as-of", AS_OF]
    started_epoch = time.time()
    measured = run_measured(command, env, run_dir / "cdp-run.log")
    measured["started_epoch"] = started_epoch
    return measured


def run_steps(dagster_home: Path) -> tuple[str, list[dict]]:
    """The latest run's id and its steps (key, status, start, end; epoch seconds)."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        record = instance.get_run_records(limit=1)[0]
        run_id = record.dagster_run.run_id
        stats = instance.get_run_step_stats(run_id)
    steps = [
        {
            "key": s.step_key,
            "status": s.status.value if s.status else None,
            "start": s.start_time,
            "end": s.end_time,
        }
        for s in stats
        if s.start_time is not None and s.end_time is not None
    ]
    return run_id, sorted(steps, key=lambda s: s["start"])


def stage_of_step(key: str) -> str:
    if key.startswith("raw"):
        return "ingestion"
    if key in DBT_STEPS:
        return "dbt"
    if key.startswith("identity_matching__"):
        return "matching"
    if key.startswith("predictive__"):
        return "predictive"
    if key.startswith("exports__"):
        return "exports"
    return "other_steps"


def union_seconds(intervals: list[tuple[float, float]]) -> float:
    """Length of the union of time intervals (overlaps counted once)."""
    total, end = 0.0, float("-inf")
    for lo, hi in sorted(intervals):
        if hi <= end:
            continue
        total += hi - max(lo, end)
        end = hi
    return total


def is_identity_node(node: dict, nodes: dict) -> bool:
    path = node.get("original_file_path", "")
    name = node.get("name", "")
    kind = node.get("resource_type")
    if kind == "model":
        return path.startswith("models/intermediate/identity/") or (
            path.startswith("models/marts/")
            and (name.startswith("identity_") or name == "person_identifiers")
        )
    if kind == "seed":
        return name.startswith("identity_")
    if kind == "test":
        attached = node.get("attached_node")
        parents = [attached] if attached else node.get("depends_on", {}).get("nodes", [])
        parents = [nodes[p] for p in parents if p in nodes and not p.startswith("test.")]
        return bool(parents) and all(is_identity_node(p, nodes) for p in parents)
    return False


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def dbt_split(run_id: str, step_key: str) -> dict | None:
    """Identity vs other nodes of one dbt step, from its run_results.json and manifest."""
    folders = sorted(DBT_TARGET.glob(f"{step_key}-{run_id[:7]}-*"), key=lambda f: f.stat().st_mtime)
    if not folders or not (folders[-1] / "run_results.json").is_file():
        return None
    results = json.loads((folders[-1] / "run_results.json").read_text())["results"]
    manifest_path = folders[-1] / "manifest.json"
    if not manifest_path.is_file():
        manifest_path = DBT_TARGET / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    nodes = {**manifest.get("nodes", {})}
    identity: list[tuple[float, float]] = []
    counts = {"identity_nodes": 0, "other_nodes": 0}
    sums = {"identity_node_seconds": 0.0, "other_node_seconds": 0.0}
    for result in results:
        node = nodes.get(result["unique_id"], {})
        side = "identity" if is_identity_node(node, nodes) else "other"
        counts[f"{side}_nodes"] += 1
        sums[f"{side}_node_seconds"] += result.get("execution_time") or 0.0
        timing = result.get("timing") or []
        if side == "identity" and timing:
            identity.append(
                (
                    min(_epoch(t["started_at"]) for t in timing),
                    max(_epoch(t["completed_at"]) for t in timing),
                )
            )
    return {
        "folder": folders[-1].name,
        "identity_seconds": union_seconds(identity),
        **counts,
        **{k: round(v, 2) for k, v in sums.items()},
    }


def stages(measured: dict, run_id: str, steps: list[dict]) -> tuple[dict, dict]:
    """Seconds per stage (they add up to the wall time) and the dbt steps' details."""
    found = dict.fromkeys(STAGES, 0.0)
    dbt_steps = {}
    end_epoch = measured["started_epoch"] + measured["wall"]
    if not steps:
        found["startup"] = measured["wall"]
        return found, dbt_steps
    found["startup"] = steps[0]["start"] - measured["started_epoch"]
    for step in steps:
        seconds = step["end"] - step["start"]
        stage = stage_of_step(step["key"])
        if stage != "dbt":
            found[stage] += seconds
            continue
        split = dbt_split(run_id, step["key"])
        identity = min(split["identity_seconds"], seconds) if split else 0.0
        found["identity"] += identity
        found["other_dbt"] += seconds - identity
        dbt_steps[step["key"]] = {
            "seconds": round(seconds, 2),
            "identity_seconds": round(identity, 2) if split else None,
            **({k: v for k, v in split.items() if k != "identity_seconds"} if split else {}),
        }
    busy = union_seconds([(s["start"], s["end"]) for s in steps])
    found["dagster_overhead"] = (steps[-1]["end"] - steps[0]["start"]) - busy
    found["finish"] = end_epoch - steps[-1]["end"]
    return {k: round(v, 2) for k, v in found.items()}, dbt_steps


def stage_peaks(measured: dict, steps: list[dict]) -> dict:
    """Peak RSS of the process tree (GiB) while each stage ran, from the 50 ms samples: startup
    before the first step, finish after the last, a step's stage while it ran (the dbt steps
    as one `dbt` stage: identity and the rest share their processes)."""
    windows: list[tuple[str, float, float]] = []
    end_epoch = measured["started_epoch"] + measured["wall"]
    if steps:
        windows.append(("startup", measured["started_epoch"], steps[0]["start"]))
        windows += [(stage_of_step(s["key"]), s["start"], s["end"]) for s in steps]
        windows.append(("finish", steps[-1]["end"], end_epoch))
    else:
        windows.append(("startup", measured["started_epoch"], end_epoch))
    peaks: dict[str, float] = {}
    for stage, start, end in windows:
        inside = [rss for at, rss in measured.get("samples", []) if start <= at <= end]
        if inside:
            peaks[stage] = max(peaks.get(stage, 0.0), round(max(inside) / GIB, 3))
    return peaks


# --------------------------------------------------------------------------------------------
# What the loader did
# --------------------------------------------------------------------------------------------


def loader_counts(warehouse: Path) -> dict:
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = conn.execute("""
            select source_table, count(*), count(distinct file_path),
                sum(rows_read), sum(rows_loaded), sum(rows_quarantined),
                count(*) filter (where status <> 'loaded')
            from meta.ingested_files group by source_table order by source_table
        """).fetchall()
        loaded_files = conn.execute(
            "select count(distinct file_path) from meta.ingested_files where status = 'loaded'"
        ).fetchone()[0]
    finally:
        conn.close()
    tables = {
        table: {
            "files": files,
            "rows_read": int(read or 0),
            "rows_loaded": int(loaded or 0),
            "rows_quarantined": int(quarantined or 0),
            "files_not_loaded": not_loaded,
        }
        for table, _, files, read, loaded, quarantined, not_loaded in rows
    }
    return {"loaded_files": loaded_files, "tables": tables}


def loader_check(counts: dict, landing_file_count: int, data: dict) -> dict:
    """Every landing file loaded, nothing quarantined, and rows in = rows loaded for the
    tables the daily layout re-split."""
    problems = []
    if counts["loaded_files"] != landing_file_count:
        problems.append(f"{counts['loaded_files']} files loaded of {landing_file_count}")
    for table, found in counts["tables"].items():
        if found["files_not_loaded"] or found["rows_quarantined"]:
            problems.append(
                f"{table}: {found['files_not_loaded']} files not loaded, "
                f"{found['rows_quarantined']} rows quarantined"
            )
    split = {}
    for table, written in data.get("split", {}).items():
        found = counts["tables"].get(table, {})
        split[table] = {
            "files_written": written["files"],
            "files_loaded": found.get("files"),
            "rows_in": written["records"],
            "rows_loaded": found.get("rows_loaded"),
        }
        if found.get("rows_loaded") != written["records"] or found.get("files") != written["files"]:
            problems.append(f"{table}: {split[table]}")
    return {"ok": not problems, "problems": problems, "split_tables": split}


# --------------------------------------------------------------------------------------------
# DuckDB's bare readers
# --------------------------------------------------------------------------------------------


def file_kinds(landing: Path) -> tuple[dict[tuple[str, str], list[Path]], list[Path]]:
    """Landing files grouped by (tool folder, the first file pattern of ingestion/sources.py
    their name matches), and the files no pattern names."""
    kinds: dict[tuple[str, str], list[Path]] = {}
    unmatched = []
    for path in landing_files(landing):
        folder = path.relative_to(landing).parts[0]
        tool = tool_of_folder(folder)
        pattern = next(
            (
                p
                for spec in SOURCES.values()
                if spec.tool == tool
                for p in spec.file_patterns
                if fnmatch(path.name.lower(), p)
            ),
            None,
        )
        if pattern is None:
            unmatched.append(path)
        else:
            kinds.setdefault((folder, pattern), []).append(path)
    return kinds, unmatched


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def bare_read(landing: Path, database: Path) -> dict:
    """One auto-detecting DuckDB reader per kind of file, each into a table of a fresh file."""
    database.unlink(missing_ok=True)
    kinds, unmatched = file_kinds(landing)
    conn = duckdb.connect(str(database))
    groups = []
    try:
        for n, ((folder, pattern), paths) in enumerate(sorted(kinds.items())):
            if pattern.endswith(".csv"):
                reader = f"read_csv({_sql_list(paths)}, union_by_name = true, filename = true)"
            else:
                reader = (
                    f"read_json({_sql_list(paths)}, union_by_name = true, filename = true, "
                    f"maximum_object_size = {MAX_JSON_OBJECT})"
                )
            group = {"folder": folder, "pattern": pattern, "files": len(paths)}
            group["bytes"] = sum(p.stat().st_size for p in paths)
            started = time.perf_counter()
            try:
                conn.execute(f"create table kind_{n} as select * from {reader}")
                group["seconds"] = round(time.perf_counter() - started, 3)
                group["rows"] = conn.execute(f"select count(*) from kind_{n}").fetchone()[0]
            except duckdb.Error as error:
                group["seconds"] = round(time.perf_counter() - started, 3)
                group["error"] = str(error).splitlines()[0]
            groups.append(group)
    finally:
        conn.close()
        database.unlink(missing_ok=True)
        Path(f"{database}.wal").unlink(missing_ok=True)
    return {
        "seconds": round(sum(g["seconds"] for g in groups), 2),
        "errors": sum(1 for g in groups if "error" in g),
        "unmatched_files": [str(p.relative_to(landing)) for p in unmatched],
        "kinds": groups,
    }


# --------------------------------------------------------------------------------------------
# One size and layout
# --------------------------------------------------------------------------------------------


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def benchmark(
    people: int, layout: str, seed: int, workdir: Path, memory_limit: str | None, log
) -> dict:
    folder, data = prepare(workdir, people, seed, layout, log)
    landing = folder / "landing"
    truth = Path(data.get("ground_truth") or folder / "ground_truth")
    files = landing_files(landing)
    run_dir = workdir / "runs" / folder.name
    log(f"cdp run on {len(files):,} files ({data['bytes'] / GIB:.2f} GiB), {people:,} people…")
    measured = run_pipeline(run_dir, landing, truth, memory_limit)
    log(f"cdp run exited {measured['code']} after {measured['wall']:.1f} s")
    entry = {
        "people": people,
        "layout": layout,
        "seed": seed,
        "files": len(files),
        "bytes": data["bytes"],
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "exit_code": measured["code"],
        "run_seconds": round(measured["wall"], 2),
        "run_cpu_seconds": round(measured["cpu"], 1),
        "peak_rss_gib": round(measured["peak"] / GIB, 3),
        "load_average_before_after": measured["load"],
    }
    if measured["code"] != 0:
        entry["run_error"] = _tail(run_dir / "cdp-run.log")
    try:
        run_id, steps = run_steps(run_dir / "dagster_home")
        entry["stages"], entry["dbt_steps"] = stages(measured, run_id, steps)
        entry["peak_rss_gib_by_stage"] = stage_peaks(measured, steps)
        entry["ingestion_steps"] = {
            s["key"]: round(s["end"] - s["start"], 2)
            for s in steps
            if stage_of_step(s["key"]) == "ingestion"
        }
        entry["dagster_run_id"] = run_id
        entry["steps"] = len(steps)
    except (IndexError, OSError) as error:
        entry["stages"] = None
        entry["stages_error"] = repr(error)
    warehouse = run_dir / "warehouse" / "cdp.duckdb"
    if warehouse.exists():
        counts = loader_counts(warehouse)
        entry["raw_rows"] = {t: c["rows_loaded"] for t, c in counts["tables"].items()}
        entry["loader_check"] = loader_check(counts, len(files), data)
    log("DuckDB's bare readers over the same files…")
    entry["load_average_before_bare_read"] = round(os.getloadavg()[0], 2)
    bare = bare_read(landing, run_dir / "bare_read.duckdb")
    entry["bare_read_seconds"] = bare["seconds"]
    entry["run_over_bare_read"] = (
        round(entry["run_seconds"] / bare["seconds"], 1) if bare["seconds"] else None
    )
    entry["bare_read"] = bare
    entry["data"] = data
    return entry


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def versions() -> dict:
    names = ("duckdb", "dbt-core", "dbt-duckdb", "dagster", "dagster-dbt", "splink", "psutil")
    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def merge(previous: Path, entries: list[dict]) -> list[dict]:
    """This invocation's entries, plus earlier ones for other (people, layout) pairs."""
    try:
        old = json.loads(previous.read_text()).get("entries", [])
    except (OSError, ValueError):
        old = []
    new_keys = {(e["people"], e["layout"]) for e in entries}
    kept = [e for e in old if (e.get("people"), e.get("layout")) not in new_keys]
    return sorted([*kept, *entries], key=lambda e: (e["people"], e["layout"]))


def print_table(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="cdp run end to end (seconds; memory = peak RSS of the process tree)")
    columns = ["people", "layout", "files", "size", "run", "bare read", "run/bare", "peak RSS"]
    columns += [s for s in STAGES if s not in ("other_steps",)] + ["loader check"]
    for column in columns:
        table.add_column(column.replace("_", " "), justify="right")
    for e in report["entries"]:
        stage = e.get("stages") or {}
        check = e.get("loader_check", {})
        table.add_row(
            f"{e['people']:,}",
            e["layout"],
            f"{e['files']:,}",
            f"{e['bytes'] / 1024**2:,.0f} MiB",
            f"{e['run_seconds']:.1f}" + ("" if e["exit_code"] == 0 else " (failed)"),
            f"{e['bare_read_seconds']:.2f}",
            f"{e['run_over_bare_read']}" if e["run_over_bare_read"] else "-",
            f"{e['peak_rss_gib']:.2f} GiB",
            *(f"{stage[s]:.1f}" if s in stage else "-" for s in STAGES if s != "other_steps"),
            "ok" if check.get("ok") else ("FAILED" if check else "-"),
        )
    console = Console(width=220)
    console.print(table)
    for e in report["entries"]:
        if peaks := e.get("peak_rss_gib_by_stage"):
            shown = ", ".join(f"{stage} {gib:.2f}" for stage, gib in peaks.items())
            console.print(f"{e['people']:,} {e['layout']}: peak RSS by stage (GiB): {shown}")
        for problem in e.get("loader_check", {}).get("problems", []):
            console.print(f"[red]{e['people']:,} {e['layout']}: {problem}[/red]")
        if e["bare_read"]["errors"]:
            for kind in e["bare_read"]["kinds"]:
                if "error" in kind:
                    console.print(f"[red]bare read {kind['pattern']}: {kind['error']}[/red]")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="comma-separated numbers of people",
    )
    parser.add_argument(
        "--layout",
        default=",".join(LAYOUTS),
        help="comma-separated landing layouts: monthly (the generator's), daily (one file per "
        "day for web events, orders, Square transactions and items)",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=WORKDIR,
        help="where demo data is kept for reuse (data/) and runs happen (runs/)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--memory-limit",
        help="DuckDB memory_limit, passed as CDP_DUCKDB_MEMORY_LIMIT (default: the profile's, "
        "80%% of RAM)",
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    layouts = [layout.strip() for layout in args.layout.split(",")]
    unknown = set(layouts) - set(LAYOUTS)
    if unknown:
        parser.error(f"unknown layout(s) {sorted(unknown)}: choose from {', '.join(LAYOUTS)}")
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"{time.perf_counter() - started:7.1f}s {message}", flush=True)

    load_at_start = [round(x, 2) for x in os.getloadavg()]
    entries = [
        benchmark(people, layout, args.seed, args.workdir.resolve(), args.memory_limit, log)
        for people in sizes
        for layout in layouts
    ]
    report = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": " ".join(["PYTHONPATH=. python benchmarks/e2e.py", *sys.argv[1:]]),
        "as_of": AS_OF,
        "machine": {
            "cores": os.cpu_count(),
            "memory_bytes": psutil.virtual_memory().total,
            "memory_gib": round(psutil.virtual_memory().total / GIB, 1),
            "platform": platform.platform(),
            "load_average_at_start": load_at_start,
        },
        "versions": versions(),
        "duckdb_memory_limit": args.memory_limit or "80% of RAM (profiles.yml default)",
        "stages": list(STAGES),
        "entries": merge(args.out, entries),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    log(f"written {args.out}")


if __name__ == "__main__":
    main()
