"""Identity-resolution benchmark: our dbt identity stage against scipy and Splink.

For each size (people), this script
  1. generates a synthetic identity graph straight into a fresh DuckDB warehouse, as the table
     `intermediate.int_identifier_observations` (what the staging layer would produce) plus the
     phone lookup `raw.phone_numbers` (written by ingestion, so phone parsing is not part of the
     identity stage; `phonenumbers` is timed separately as context);
  2. runs our identity stage with dbt (normalise, guards, nodes, edges, components twice,
     stable person ids, person_identifiers, identity_person_registry): wall time of the dbt run,
     per-model times from run_results.json, peak RSS of the dbt process tree;
  3. computes the same components in separate processes with
     `scipy.sparse.csgraph.connected_components` (in-memory reference) and Splink's
     `cluster_pairwise_predictions_at_threshold` on DuckDB (the SQL peer), on exactly the graph
     `int_identity_components` was given, and checks that all three partitions are identical.

Results go to benchmarks/results/identity.json and a table is printed. It is a benchmark run
by hand (see benchmarks/README.md), not a test:

    PYTHONPATH=. .venv/bin/python benchmarks/identity.py                  # 100k, 1M, 3M people
    PYTHONPATH=. .venv/bin/python benchmarks/identity.py --sizes 100000   # one quick size
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import duckdb
import numpy as np
import psutil
import pyarrow as pa

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO / "dbt_project"
RESULTS = REPO / "benchmarks" / "results" / "identity.json"
DEFAULT_SIZES = (100_000, 1_000_000, 3_000_000)
GIB = 1024**3

# The identity stage: everything from normalisation to the registry, nothing downstream of it
# (profiles, CRM, segments, orders…). Staging is bypassed: the benchmark writes its output.
STAGE_SELECTION = (
    "stg_reference__phone_numbers",
    "int_identifiers_normalised+,path:models/intermediate/identity",
    "person_identifiers",
    "identity_person_registry",
)
COMPONENT_MODEL = "int_identity_components"
CORE_COMPONENT_MODEL = "int_identity_core_components"

# Targets of the issue, for the size nearest 10M links on the 2-core machine.
TARGET_LINKS = 10_000_000
TARGET_STAGE_SECONDS = 30.0
TARGET_PEAK_BYTES = 4 * GIB
TARGET_SCIPY_RATIO = 5.0

FIRST_NAMES = (
    "james mary robert patricia john jennifer michael linda david elizabeth william barbara "
    "richard susan joseph jessica thomas sarah charles karen christopher lisa daniel nancy "
    "matthew betty anthony margaret mark sandra donald ashley steven kimberly paul emily andrew "
    "donna joshua michelle kenneth carol kevin amanda brian dorothy george melissa timothy "
    "deborah ronald stephanie jason rebecca edward sharon jeffrey laura ryan cynthia jacob amy "
    "gary kathleen nicholas angela eric shirley jonathan anna stephen brenda larry pamela justin "
    "emma scott nicole brandon helen benjamin samantha samuel katherine gregory christine "
    "alexander debra frank rachel patrick carolyn raymond janet jack maria dennis olivia jerry "
    "heather tyler diane aaron julie jose joyce adam victoria nathan ruth henry virginia "
    "zachary lauren douglas kelly peter christina kyle joan noah evelyn ethan judith jeremy "
    "andrea walter hannah christian megan keith cheryl roger jacqueline terry martha austin "
    "madison sean teresa gerald gloria carl sara harold janice dylan ann arthur kathryn "
    "lawrence abigail jordan sophia jesse frances bryan jean billy alice bruce judy gabriel "
    "isabella joe julia logan grace alan amber juan denise albert danielle willie marilyn "
    "elijah beverly wayne charlotte randy natalie vincent theresa mason diana roy brittany "
    "ralph doris bobby kayla russell alexis bradley lori philip marie eugene"
).split()
LAST_NAMES = (
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez "
    "lopez gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson "
    "white harris sanchez clark ramirez lewis robinson walker young allen king wright scott "
    "torres nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter "
    "roberts gomez phillips evans turner diaz parker cruz edwards collins reyes stewart morris "
    "morales murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed kelly "
    "howard ramos kim cox ward richardson watson brooks chavez wood james bennett gray mendoza "
    "ruiz hughes price alvarez castillo sanders patel myers long ross foster jimenez powell "
    "jenkins perry russell sullivan bell coleman butler henderson barnes gonzales fisher "
    "vasquez simmons romero jordan patterson alexander hamilton graham reynolds griffin "
    "wallace moreno west cole hayes bryant herrera gibson ellis tran medina aguilar stevens "
    "murray ford castro marshall owens harrison fernandez mcdonald woods washington kennedy "
    "wells vargas henry chen freeman webb tucker guzman burns crawford olson simpson porter "
    "hunter gordon mendez silva shaw snyder mason dixon munoz hunt hicks holmes palmer wagner "
    "black robertson boyd rose stone salazar fox warren mills meyer rice schmidt garza daniels"
).split()
CONSUMER_DOMAINS = (
    ["gmail.com"] * 8
    + ["yahoo.com"] * 3
    + ["outlook.com", "hotmail.com", "icloud.com", "icloud.com", "aol.com", "proton.me"]
    + ["comcast.net", "att.net", "live.com", "msn.com"]
)
WORK_DOMAINS = (
    "acme.io northwind.com contoso.com initech.com globex.com umbrella-corp.com hooli.com "
    "stark-industries.com wayne-enterprises.com vandelay.com piedpiper.com soylent.co "
    "cyberdyne.net tyrell.com wonka.co example-university.edu state.gov kaiser.org"
).split()
# Real US area codes; with exchanges 200-999 (no N11, no 555) every number is valid for
# libphonenumber, which the benchmark checks on a sample.
AREA_CODES = (
    201,
    202,
    206,
    212,
    213,
    214,
    303,
    305,
    312,
    404,
    415,
    503,
    512,
    602,
    617,
    702,
    713,
    718,
    720,
    801,
    813,
    901,
    916,
    919,
)
EXCHANGES = np.array([e for e in range(200, 1000) if e % 100 != 11 and e != 555])


# --------------------------------------------------------------------------------------------
# Data generation
# --------------------------------------------------------------------------------------------


def _affine(values: np.ndarray, modulus: int, seed: int) -> np.ndarray:
    """An injective, scrambled map of 0..n-1 into 0..modulus-1 (ids never collide)."""
    multiplier = 2_654_435_761 + 2 * seed
    while math.gcd(multiplier, modulus) != 1:
        multiplier += 1
    return (values.astype(np.int64) * (multiplier % modulus) + 7_919 * seed) % modulus


def _people(n: int, seed: int) -> pa.Table:
    """One row per person: what identifiers they have and how active they are."""
    rng = np.random.default_rng(seed)
    person = np.arange(n, dtype=np.int64)
    phone_capacity = len(AREA_CODES) * len(EXCHANGES) * 10_000
    phone_index = _affine(person, phone_capacity, seed)
    has_shopify = rng.random(n) < 0.6
    n_email = np.where(rng.random(n) < 0.35, 2, 1).astype(np.int8)
    orders = np.where(
        has_shopify,
        rng.integers(0, 4, n),  # customers: 0-3 orders
        rng.integers(1, 3, n),  # guests: 1-2 orders
    ).astype(np.int8)
    # A second email needs a record that ties it to the first: at least one order.
    orders = np.where((n_email == 2) & (orders == 0), 1, orders).astype(np.int8)
    return pa.table(
        {
            "person": person,
            "uid": _affine(person, 100_000_000, seed + 1),
            "first_idx": rng.integers(0, len(FIRST_NAMES), n).astype(np.int16),
            "last_idx": rng.integers(0, len(LAST_NAMES), n).astype(np.int16),
            "style": rng.integers(0, 4, n).astype(np.int8),
            "domain_idx": rng.integers(0, len(CONSUMER_DOMAINS), n).astype(np.int16),
            "work_domain_idx": rng.integers(0, len(WORK_DOMAINS), n).astype(np.int16),
            "n_email": n_email,
            "has_phone": rng.random(n) < 0.88,
            "area": np.asarray(AREA_CODES)[phone_index // (len(EXCHANGES) * 10_000)],
            "exchange": EXCHANGES[(phone_index // 10_000) % len(EXCHANGES)],
            "line": (phone_index % 10_000).astype(np.int32),
            "has_shopify": has_shopify,
            "has_square": rng.random(n) < 0.25,
            "has_mailchimp": rng.random(n) < 0.5,
            "n_anon": rng.integers(2, 9, n).astype(np.int8),  # browsers / devices: 2-8
            "n_orders": orders,
            "t0": rng.integers(0, 4 * 365 * 86_400, n),  # first activity, seconds after 2021
        }
    )


# The observations are written exactly as int_identifier_observations would write them: one
# row per (record, identifier column) with a value, the record's lower-cased first name.
RECORD_COLUMNS = {
    "mailchimp_members": [
        ("email", "email"),
        ("phone", "phone"),
        ("mailchimp_subscriber_id", "mailchimp_subscriber_id"),
    ],
    "shopify_customers": [
        ("shopify_customer_id", "customer_id"),
        ("email", "email"),
        ("phone", "phone"),
    ],
    "shopify_orders": [
        ("shopify_customer_id", "customer_id"),
        ("email", "email"),
        ("email", "customer_email"),
        ("phone", "phone"),
        ("phone", "customer_phone"),
    ],
    "shopify_web_events": [
        ("anonymous_id", "anonymous_id"),
        ("shopify_customer_id", "customer_id"),
        ("mailchimp_subscriber_id", "mailchimp_subscriber_id"),
        ("email", "checkout_email"),
        ("phone", "checkout_phone"),
    ],
    "square_customers": [
        ("square_customer_id", "square_customer_id"),
        ("email", "email"),
        ("phone", "phone"),
    ],
}


def generate(warehouse: Path, people: int, seed: int) -> dict:
    """Writes intermediate.int_identifier_observations and raw.phone_numbers; returns counts."""
    started = time.perf_counter()
    conn = duckdb.connect(str(warehouse))
    conn.register("people_arrow", _people(people, seed))
    conn.register("first_names", pa.table({"i": np.arange(len(FIRST_NAMES)), "v": FIRST_NAMES}))
    conn.register("last_names", pa.table({"i": np.arange(len(LAST_NAMES)), "v": LAST_NAMES}))
    conn.register(
        "domains", pa.table({"i": np.arange(len(CONSUMER_DOMAINS)), "v": CONSUMER_DOMAINS})
    )
    conn.register("work_domains", pa.table({"i": np.arange(len(WORK_DOMAINS)), "v": WORK_DOMAINS}))
    ts = "(timestamp '2021-01-01' + to_seconds(({})::bigint))"
    conn.execute("""
        create temp table p as
        select
            person, n_email, has_phone, has_shopify, has_square, has_mailchimp, n_anon,
            n_orders, t0,
            fn.v as first_name,
            case style
                when 0 then fn.v || '.' || ln.v || uid
                when 1 then fn.v || uid
                when 2 then substr(fn.v, 1, 1) || '.' || ln.v || uid
                else fn.v || '_' || ln.v || uid
            end || '@' || d.v as email_1,
            case when n_email = 2 then fn.v || '.' || ln.v || uid || '@' || wd.v end as email_2,
            case when has_phone then '+1' || area || exchange || lpad(line::varchar, 4, '0') end
                as phone_e164,
            case when has_phone then
                '(' || area || ') ' || exchange || '-' || lpad(line::varchar, 4, '0') end
                as phone_local,
            case when has_phone then
                area || '-' || exchange || '-' || lpad(line::varchar, 4, '0') end
                as phone_dashed,
            case when has_shopify then (6000000000000 + uid)::varchar end as shopify_id,
            case when has_square then
                upper(substr(md5('square' || person), 1, 18)) || lpad(uid::varchar, 8, '0') end
                as square_id,
            -- DuckDB reads the aliases above: the member's latest address, hashed like Mailchimp.
            case when has_mailchimp then md5(coalesce(email_2, email_1)) end as mailchimp_id
        from people_arrow
        join first_names as fn on fn.i = first_idx
        join last_names as ln on ln.i = last_idx
        join domains as d on d.i = domain_idx
        join work_domains as wd on wd.i = work_domain_idx
    """)
    # First names as written on the record: the same person, in varying case and spacing.
    written_name = "case hash(person, 'case') % 3 when 0 then upper(first_name) when 1 then first_name else upper(substr(first_name, 1, 1)) || substr(first_name, 2) || ' ' end"  # noqa: E501
    conn.execute(f"""
        create temp table shopify_customers as
        select shopify_id as source_record_id, shopify_id as customer_id, email_1 as email,
            phone_e164 as phone, cast(null as timestamp) as observed_at,
            {written_name} as first_name
        from p where has_shopify
    """)
    conn.execute(f"""
        create temp table shopify_orders as
        with o as (select p.*, unnest(range(n_orders)) as k from p where n_orders > 0)
        select
            (4000000000 + person * 4 + k)::varchar as source_record_id,
            shopify_id as customer_id,
            -- The order email: the second address on the first order, else the first one,
            -- sometimes typed with a capital and a trailing space.
            case when k = 0 and n_email = 2 then email_2
                when hash(person, k, 'caps') % 5 = 0
                    then upper(substr(email_1, 1, 1)) || substr(email_1, 2) || ' '
                else email_1 end as email,
            case when has_shopify or (k = 0 and n_email = 2) then email_1 end as customer_email,
            case when hash(person, k, 'phone') % 10 < 7 or not has_shopify then phone_e164 end
                as phone,
            case when has_shopify then phone_e164 end as customer_phone,
            {ts.format("t0 + 86400 * (hash(person, k, 'ts') % 900)")} as observed_at,
            {written_name} as first_name
        from o
    """)
    conn.execute(f"""
        create temp table mailchimp_members as
        select mailchimp_id as source_record_id, mailchimp_id as mailchimp_subscriber_id,
            coalesce(email_2, email_1) as email,
            case when hash(person, 'mc') % 2 = 0 then phone_dashed end as phone,
            {ts.format("t0 + 86400 * (hash(person, 'mcts') % 900)")} as observed_at,
            {written_name} as first_name
        from p where has_mailchimp
    """)
    conn.execute(f"""
        create temp table square_customers as
        select square_id as source_record_id, square_id as square_customer_id,
            case when not has_phone or hash(person, 'sq') % 5 < 4 then email_1 end as email,
            phone_local as phone,
            {ts.format("t0 + 86400 * (hash(person, 'sqts') % 900)")} as observed_at,
            {written_name} as first_name
        from p where has_square
    """)
    # Web events: each browser id (a UUID) is seen on 1-2 events, each also carrying what the
    # visitor was identified by then (logged in, an email click, a checkout).
    conn.execute(f"""
        create temp table shopify_web_events as
        with a as (select p.*, unnest(range(n_anon)) as k from p),
        e as (select a.*, unnest(range((1 + hash(person, k, 'n') % 2)::bigint)) as j from a),
        chosen as (
            select e.*,
                md5('anon' || person || ':' || k) as h,
                case when has_shopify and hash(person, k, j, 's') % 3 = 0 then shopify_id end
                    as customer_id,
                case when has_mailchimp and hash(person, k, j, 'm') % 5 = 0 then mailchimp_id end
                    as mailchimp_subscriber_id,
                case hash(person, k, j, 'e') % 6
                    when 0 then email_1 when 1 then email_1 when 2 then email_2 end
                    as checkout_email,
                case when hash(person, k, j, 'p') % 4 = 0 then phone_e164 end as checkout_phone
            from e
        )
        select
            (9000000000000 + person * 32 + k * 2 + j)::varchar as source_record_id,
            substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-'
                || substr(h, 17, 4) || '-' || substr(h, 21, 12) as anonymous_id,
            customer_id,
            mailchimp_subscriber_id,
            case when customer_id is null and mailchimp_subscriber_id is null
                    and checkout_phone is null
                then coalesce(checkout_email, email_1) else checkout_email end as checkout_email,
            checkout_phone,
            {ts.format("t0 + 3600 * (hash(person, k, j, 'ts') % 20000)")} as observed_at,
            cast(null as varchar) as first_name
        from chosen
    """)
    selects = [
        f"select '{table}' as source_table, source_record_id, '{identifier_type}' as "
        f"identifier_type, {column} as raw_value, observed_at, lower(trim(first_name)) as "
        f"record_first_name from {table} where {column} is not null"
        for table, columns in RECORD_COLUMNS.items()
        for identifier_type, column in columns
    ]
    conn.execute("create schema if not exists intermediate")
    conn.execute("create schema if not exists raw")
    conn.execute(
        "create table intermediate.int_identifier_observations as " + " union all ".join(selects)
    )
    conn.execute("""
        create table raw.phone_numbers as
        with forms as (
            select phone_e164 as raw_phone, phone_e164 from p where has_phone
            union all select phone_local, phone_e164 from p where has_phone
            union all select phone_dashed, phone_e164 from p where has_phone
        )
        select distinct raw_phone, 'US' as default_region, phone_e164, true as is_valid
        from forms
        where raw_phone in (
            select distinct trim(raw_value) from intermediate.int_identifier_observations
            where identifier_type = 'phone'
        )
    """)
    counts = conn.execute("""
        select
            (select count(*) from intermediate.int_identifier_observations),
            (select count(*) from (select distinct source_table, source_record_id
                from intermediate.int_identifier_observations)),
            (select count(*) from raw.phone_numbers),
            (select count(distinct phone_e164) from raw.phone_numbers)
    """).fetchall()[0]
    sample = conn.execute(
        "select phone_local, phone_e164 from p where has_phone using sample 2000 rows"
    ).fetchall()
    conn.close()
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "observations": counts[0],
        "records": counts[1],
        "raw_phone_values": counts[2],
        "distinct_phones": counts[3],
        "phone_sample": sample,
    }


def time_phonenumbers(sample: list[tuple[str, str]], count: int = 100_000) -> dict:
    """How long `phonenumbers` takes per 100k distinct numbers (the ingestion step, context)."""
    from cdp.core.phone_numbers import to_e164

    digits = np.random.default_rng(0).integers(0, 10_000, count)
    areas = np.random.default_rng(1).choice(AREA_CODES, count)
    exchanges = np.random.default_rng(2).choice(EXCHANGES, count)
    triples = zip(areas, exchanges, digits, strict=True)
    values = sorted({f"({area}) {exchange}-{line:04d}" for area, exchange, line in triples})
    started = time.perf_counter()
    parsed = [to_e164(value, "US") for value in values]
    seconds = time.perf_counter() - started
    valid_sample = all(to_e164(raw, "US") == (e164, True) for raw, e164 in sample)
    return {
        "distinct_numbers": len(values),
        "seconds": round(seconds, 2),
        "seconds_per_100k": round(seconds * 100_000 / len(values), 2),
        "valid_share": round(sum(valid for _, valid in parsed) / len(parsed), 4),
        "generated_sample_matches_phonenumbers": valid_sample,
    }


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


class PeakRss:
    """Polls the resident memory of a process and all its children; keeps the maximum and
    every sample (epoch seconds, bytes), so a caller can find the peak of each stage."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self.process, *self.process.children(recursive=True)]
                total = 0
                for process in processes:
                    try:
                        total += process.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
                self.samples.append((time.time(), total))
            except psutil.Error:
                pass
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(command: list[str], env: dict[str, str], log: Path) -> dict:
    """Runs a command: wall seconds, CPU seconds (all threads), peak RSS of its process tree,
    exit code, and the machine's 1-minute load average before and after (other processes
    competing for the 2 cores inflate wall times, not CPU times)."""
    with log.open("w") as out:
        load_before = os.getloadavg()[0]
        cpu_before = _children_cpu()
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        monitor = PeakRss(process.pid)
        code = process.wait()
        wall = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before
    return {
        "wall": wall,
        "cpu": cpu,
        "peak": monitor.stop(),
        "samples": monitor.samples,
        "code": code,
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def dbt(*args: str, work: Path) -> list[str]:
    return [
        str(Path(sys.executable).with_name("dbt")),
        *args,
        "--project-dir",
        str(DBT_PROJECT),
        "--profiles-dir",
        str(DBT_PROJECT),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]


class StageFailed(Exception):
    """The dbt run of the identity stage failed (e.g. out of memory under a small cap)."""


def run_stage(warehouse: Path, work: Path, memory_limit: str | None) -> dict:
    env = {**os.environ, "CDP_WAREHOUSE": str(warehouse), "CDP_DEFAULT_PHONE_REGION": "US"}
    if memory_limit is not None:
        env["CDP_DUCKDB_MEMORY_LIMIT"] = memory_limit  # read by profiles.yml
    seed = subprocess.run(dbt("seed", work=work), env=env, capture_output=True, text=True)
    if seed.returncode != 0:
        raise SystemExit(f"dbt seed failed:\n{seed.stdout[-3000:]}")
    run = run_measured(
        dbt("run", "--select", *STAGE_SELECTION, work=work),
        env,
        work / "dbt_run.log",
    )
    if run["code"] != 0:
        failures = [
            line.strip()
            for line in (work / "dbt_run.log").read_text().splitlines()
            if "Error" in line and "in model" not in line
        ]
        raise StageFailed(
            f"dbt run failed after {run['wall']:.0f} s (peak {run['peak'] / GIB:.2f} GiB): "
            + " | ".join(failures[-3:])
        )
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    models = {
        result["unique_id"].split(".")[-1]: round(result["execution_time"], 3) for result in results
    }
    return {
        "wall_seconds": round(run["wall"], 2),
        "cpu_seconds": round(run["cpu"], 2),
        "model_seconds_sum": round(sum(models.values()), 2),
        "peak_rss_bytes": run["peak"],
        "load_average": run["load"],
        "models": dict(sorted(models.items(), key=lambda item: -item[1])),
    }


# The graph exactly as int_identity_components is given it (the input the peers get too).
GRAPH_NODES = """
    select node_id from intermediate.int_identity_nodes
    where node_id not in (select node_id from intermediate.int_identity_weak_refusals)
"""
GRAPH_EDGES = """
    select node_id_a, node_id_b from intermediate.int_identity_edges
    where node_id_a not in (select node_id from intermediate.int_identity_weak_refusals)
        and node_id_b not in (select node_id from intermediate.int_identity_weak_refusals)
"""


def canonical(node_ids: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each node's component named by its smallest node id: equal arrays = equal partitions."""
    order = np.argsort(node_ids, kind="stable")
    node_ids, labels = node_ids[order], labels[order]
    _, inverse = np.unique(labels, return_inverse=True)
    smallest = np.full(inverse.max() + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(smallest, inverse, node_ids)
    return smallest[inverse]


def peer_worker(engine: str, warehouse: Path, labels_out: Path) -> None:
    """Runs in its own process: loads the graph (untimed), times one peer, saves its labels."""
    process = psutil.Process()
    conn = duckdb.connect(str(warehouse), read_only=True)
    nodes = conn.execute(GRAPH_NODES).fetchnumpy()["node_id"].astype(np.int64)
    if engine == "scipy":
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        edges = conn.execute(GRAPH_EDGES).fetchnumpy()
        conn.close()
        a = edges["node_id_a"].astype(np.int64)
        b = edges["node_id_b"].astype(np.int64)
        del edges
        size = int(nodes.max()) + 1
        baseline = process.memory_info().rss
        cpu_started = time.process_time()
        started = time.perf_counter()
        matrix = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(size, size)).tocsr()
        _, labels = connected_components(matrix, directed=False)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        labels = labels[nodes]  # row 0 and any unused id are not nodes
        count = len(np.unique(labels))
    else:
        import logging

        from splink import DuckDBAPI
        from splink.clustering import cluster_pairwise_predictions_at_threshold

        logging.getLogger("splink").setLevel(logging.WARNING)
        conn.close()
        memory = duckdb.connect()
        memory.execute(f"attach '{warehouse}' as wh (read_only)")
        memory.execute(
            "create table nodes as " + GRAPH_NODES.replace("intermediate.", "wh.intermediate.")
        )
        memory.execute(
            "create table edges as select node_id_a as node_id_l, node_id_b as node_id_r from ("
            + GRAPH_EDGES.replace("intermediate.", "wh.intermediate.")
            + ")"
        )
        memory.execute("detach wh")
        baseline = process.memory_info().rss
        cpu_started = time.process_time()
        started = time.perf_counter()
        clusters = cluster_pairwise_predictions_at_threshold(
            nodes="nodes",
            edges="edges",
            db_api=DuckDBAPI(connection=memory),
            node_id_column_name="node_id",
            threshold_match_probability=None,
        )
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        result = memory.execute(
            f"select node_id, cluster_id from {clusters.physical_name} order by node_id"
        ).fetchnumpy()
        if not np.array_equal(result["node_id"].astype(np.int64), np.sort(nodes)):
            raise SystemExit("splink: output nodes differ from input nodes")
        nodes = result["node_id"].astype(np.int64)
        labels = result["cluster_id"].astype(np.int64)
        count = len(np.unique(labels))
        memory.close()
    np.save(labels_out, canonical(nodes, labels))
    print(
        json.dumps(
            {
                "seconds": round(seconds, 3),
                "cpu_seconds": round(cpu, 3),
                "components": int(count),
                "baseline_rss_bytes": baseline,
            }
        )
    )


def run_peer(engine: str, warehouse: Path, work: Path) -> dict:
    labels = work / f"{engine}_labels.npy"
    log = work / f"{engine}.log"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--peer",
        engine,
        "--warehouse",
        str(warehouse),
        "--labels-out",
        str(labels),
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = run_measured(command, env, log)
    if run["code"] != 0:
        return {"error": log.read_text()[-3000:]}
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    report = json.loads(lines[-1])
    report["peak_rss_bytes"] = run["peak"]
    report["load_average"] = run["load"]
    report["labels"] = labels
    return report


def graph_facts(warehouse: Path, people: int) -> tuple[dict, np.ndarray]:
    conn = duckdb.connect(str(warehouse), read_only=True)

    def one(sql: str) -> int:
        return conn.execute(sql).fetchall()[0][0]

    facts = {
        "links": one("select count(*) from intermediate.int_identity_edges"),
        "nodes": one("select count(*) from intermediate.int_identity_nodes"),
        "valid_observations": one(
            "select count(*) from intermediate.int_identifiers_normalised where is_valid"
        ),
        "refused_identifiers": one(
            "select count(*) from intermediate.int_identity_refused_identifiers"
        ),
        "weak_refusals": one("select count(*) from intermediate.int_identity_weak_refusals"),
        "limit_refusals": one("select count(*) from intermediate.int_identity_limit_refusals"),
        "graph_nodes": one(f"select count(*) from ({GRAPH_NODES})"),
        "graph_edges": one(f"select count(*) from ({GRAPH_EDGES})"),
        "components": one(
            f"select count(distinct component_id) from intermediate.{COMPONENT_MODEL}"
        ),
        "persons": one("select count(distinct person_id) from marts.person_identifiers"),
    }
    facts["links_per_person"] = round(facts["links"] / people, 2)
    ours = conn.execute(
        f"select node_id, component_id from intermediate.{COMPONENT_MODEL}"
    ).fetchnumpy()
    conn.close()
    labels = canonical(ours["node_id"].astype(np.int64), ours["component_id"].astype(np.int64))
    return facts, labels


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


def benchmark_size(
    people: int, seed: int, root: Path, with_splink: bool, memory_limit: str | None, log
) -> dict:
    work = root / f"people_{people}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    warehouse = work / "cdp.duckdb"
    log(f"[{people:,} people] generating…")
    generated = generate(warehouse, people, seed)
    phone_sample = generated.pop("phone_sample")
    log(f"[{people:,} people] {generated}; running the identity stage…")
    try:
        stage = run_stage(warehouse, work, memory_limit)
    except StageFailed as failure:
        log(f"[{people:,} people] {failure}")
        if os.environ.get("CDP_BENCH_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        return {
            "people": people,
            "generated": generated,
            "stage_error": str(failure),
            "phone_sample": phone_sample,
        }
    facts, ours = graph_facts(warehouse, people)
    log(f"[{people:,} people] stage {stage['wall_seconds']} s; {facts}")
    peers = {}
    for engine in ("scipy", "splink") if with_splink else ("scipy",):
        log(f"[{people:,} people] {engine}…")
        peers[engine] = run_peer(engine, warehouse, work)
    partitions = {}
    for engine, report in peers.items():
        if "labels" in report:
            labels = np.load(report.pop("labels"))
            partitions[engine] = bool(len(labels) == len(ours) and np.array_equal(labels, ours))
    component = stage["models"][COMPONENT_MODEL]
    result = {
        "people": people,
        **facts,
        "generated": generated,
        "ours": {
            "component_step_seconds": component,
            "core_component_step_seconds": stage["models"][CORE_COMPONENT_MODEL],
            "stage_wall_seconds": stage["wall_seconds"],
            "stage_model_seconds_sum": stage["model_seconds_sum"],
            "stage_cpu_seconds": stage["cpu_seconds"],
            "load_average": stage["load_average"],
            "peak_rss_bytes": stage["peak_rss_bytes"],
            "model_seconds": stage["models"],
        },
        "peers": peers,
        "ratios": {
            f"ours_over_{engine}": round(component / report["seconds"], 2)
            for engine, report in peers.items()
            if "seconds" in report
        },
        "partitions_identical": partitions,
        "components_equal_people": facts["components"] == people == facts["persons"],
        "phone_sample": phone_sample,
    }
    if os.environ.get("CDP_BENCH_KEEP") != "1":
        shutil.rmtree(work, ignore_errors=True)
    return result


def versions() -> dict:
    names = ("duckdb", "dbt-core", "dbt-duckdb", "scipy", "numpy", "splink", "phonenumbers")
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def targets(results: list[dict]) -> dict:
    sizes = [size for size in results if "stage_error" not in size]
    if not sizes:
        return {"size_nearest_10M_links": None}
    nearest = min(sizes, key=lambda size: abs(math.log(size["links"] / TARGET_LINKS)))
    ours = nearest["ours"]
    splink = nearest["peers"].get("splink", {})
    ratios = [size["ratios"].get("ours_over_scipy") for size in sizes]
    ratios_splink = [size["ratios"].get("ours_over_splink") for size in sizes]
    return {
        "size_nearest_10M_links": {"people": nearest["people"], "links": nearest["links"]},
        "component_step_faster_than_splink": (
            ours["component_step_seconds"] < splink["seconds"] if "seconds" in splink else None
        ),
        "component_step_within_5x_scipy": nearest["ratios"].get("ours_over_scipy", math.inf)
        <= TARGET_SCIPY_RATIO,
        "stage_under_30_s": ours["stage_wall_seconds"] < TARGET_STAGE_SECONDS,
        "peak_under_4_GiB": ours["peak_rss_bytes"] < TARGET_PEAK_BYTES,
        "ratio_ours_over_scipy_by_size": ratios,
        "ratio_ours_over_splink_by_size": ratios_splink,
    }


def print_table(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Identity stage benchmark (seconds; memory = peak RSS)")
    for column in (
        "people",
        "links",
        "ours cc",
        "ours core cc",
        "ours stage (sum)",
        "scipy",
        "Splink",
        "ours/Splink",
        "ours/scipy",
        "peak ours",
        "peak scipy",
        "peak Splink",
        "same partition",
    ):
        table.add_column(column, justify="right")

    def gib(value: int | None) -> str:
        return f"{value / GIB:.2f} GiB" if value else "-"

    failed = [size for size in report["sizes"] if "stage_error" in size]
    for size in report["sizes"]:
        if size in failed:
            continue
        ours, peers, ratios = size["ours"], size["peers"], size["ratios"]
        scipy_, splink = peers.get("scipy", {}), peers.get("splink", {})
        table.add_row(
            f"{size['people']:,}",
            f"{size['links']:,}",
            f"{ours['component_step_seconds']:.2f}",
            f"{ours['core_component_step_seconds']:.2f}",
            f"{ours['stage_wall_seconds']:.1f} ({ours['stage_model_seconds_sum']:.1f})",
            f"{scipy_['seconds']:.2f}" if "seconds" in scipy_ else "error",
            f"{splink['seconds']:.2f}" if "seconds" in splink else "-",
            f"{ratios['ours_over_splink']:.2f}" if "ours_over_splink" in ratios else "-",
            f"{ratios['ours_over_scipy']:.1f}" if "ours_over_scipy" in ratios else "-",
            gib(ours["peak_rss_bytes"]),
            gib(scipy_.get("peak_rss_bytes")),
            gib(splink.get("peak_rss_bytes")),
            ", ".join(
                f"{engine}: {'yes' if same else 'NO'}"
                for engine, same in size["partitions_identical"].items()
            ),
        )
    console = Console(width=200)
    console.print(table)
    for size in failed:
        console.print(f"[red]{size['people']:,} people: {size['stage_error']}[/red]")
    if report["targets"]["size_nearest_10M_links"]:
        nearest = report["targets"]["size_nearest_10M_links"]["people"]
        ours = next(s for s in report["sizes"] if s["people"] == nearest)["ours"]
        times = ", ".join(f"{name} {t:.2f}" for name, t in ours["model_seconds"].items())
        console.print(f"Model times at {nearest:,} people: {times}")
    console.print(f"Targets: {report['targets']}")
    console.print(f"phonenumbers (ingestion, context): {report['phonenumbers']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="comma-separated numbers of people",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-splink", action="store_true", help="skip Splink (extra 'bench')")
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a temp folder)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--memory-limit",
        help="DuckDB memory_limit for our stage (e.g. 8GB), passed as CDP_DUCKDB_MEMORY_LIMIT; "
        "default: the project's profile as is (80%% of RAM unless CDP_DUCKDB_MEMORY_LIMIT is set)",
    )
    parser.add_argument("--peer", choices=("scipy", "splink"), help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--labels-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer:
        peer_worker(args.peer, args.warehouse, args.labels_out)
        return

    with_splink = not args.no_splink
    if with_splink:
        try:
            metadata.version("splink")
        except metadata.PackageNotFoundError:
            raise SystemExit(
                "splink is not installed: pip install -e '.[bench]', or pass --no-splink"
            ) from None
    sizes = [int(size) for size in args.sizes.split(",")]
    root = args.workdir or Path(tempfile.mkdtemp(prefix="cdp-bench-identity-"))
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"{time.perf_counter() - started:7.1f}s {message}", flush=True)

    results = []
    for people in sizes:
        results.append(benchmark_size(people, args.seed, root, with_splink, args.memory_limit, log))
    phone_sample = results[0].pop("phone_sample")
    for result in results[1:]:
        result.pop("phone_sample")
    log("timing phonenumbers on 100k distinct numbers…")
    report = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": " ".join(["PYTHONPATH=. python benchmarks/identity.py", *sys.argv[1:]]),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_bytes": psutil.virtual_memory().total,
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "versions": versions(),
        "stage_selection": list(STAGE_SELECTION),
        "duckdb_memory_limit": args.memory_limit
        or os.environ.get("CDP_DUCKDB_MEMORY_LIMIT", "80% of RAM (profiles.yml default)"),
        "phonenumbers": time_phonenumbers(phone_sample),
        "sizes": results,
        "total_seconds": None,
    }
    report["targets"] = targets(results)
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    log(f"written {args.out}")
    if args.workdir is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
