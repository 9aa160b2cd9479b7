"""The Spark bodies of the identity macros against DuckDB, expression by expression.

The name-conflict guard's Jaro-Winkler similarity has no Spark built-in, so its `spark__` body
computes it in SQL; identifier hygiene runs its RE2 patterns through Java regex on Spark. Both
are rendered here from the macro files (Spark bodies) and evaluated in a local Spark session
on the same inputs as DuckDB's built-ins: FEBRL-style name pairs with typos, and the identifier
hygiene case table.
"""

from __future__ import annotations

import csv
import random
import string
from pathlib import Path

import duckdb
import jinja2
import pytest

MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros"
CASES_FILE = MACROS.parent / "seeds" / "identifier_hygiene_cases.csv"


class _Namespace:
    """`cdp.<macro>` as dbt resolves it on Spark: the `spark__` body where there is one."""

    def __init__(self) -> None:
        self.module = None

    def __getattr__(self, name: str):
        module = self.__dict__["module"]
        return getattr(module, f"spark__{name}", None) or getattr(module, name)


def _spark_macros():
    source = "\n".join(
        (MACROS / path).read_text()
        for path in (
            "spark/java_regex.sql",
            "identity/matches_regex.sql",
            "identity/normalise_identifiers.sql",
            "identity/name_similarity.sql",
        )
    )
    namespace = _Namespace()
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    template = env.from_string(source, globals={"cdp": namespace, "dbt": None, "adapter": None})
    namespace.module = template.make_module()
    return namespace


def _name_pairs() -> list[tuple[str, str]]:
    rng = random.Random(5)
    names = ["john", "joan", "mary", "mark", "tyan", "tynan", "zachary", "zachay", "sam",
             "sma", "michael", "michaela", "jacl", "jadk", "amy", "aym", "hugo", "hugl", "ji",
             "jai", "a", "ab", "aa", "abcabc", "martha", "marhta", "dixon", "dicksonx",
             "jones", "johnson", "dwayne", "duane", "christopher", "kristofer"]  # fmt: skip
    pairs = [(a, b) for a in names for b in names]
    letters = "aeioustrnl"
    for _ in range(400):
        a = "".join(rng.choice(letters) for _ in range(rng.randint(1, 9)))
        b = list(a)
        for _ in range(rng.randint(0, 3)):
            position = rng.randrange(len(b) + 1)
            operation = rng.choice("ids")
            if operation == "i":
                b.insert(position, rng.choice(string.ascii_lowercase))
            elif b and position < len(b):
                if operation == "d":
                    del b[position]
                else:
                    b[position] = rng.choice(letters)
        pairs.append((a, "".join(b) or "x"))
    return pairs


@pytest.fixture(scope="module")
def spark(spark_ready: None):
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_jaro_winkler_and_one_edit_match_duckdb(spark) -> None:
    macros = _spark_macros()
    pairs = _name_pairs()
    spark.createDataFrame(pairs, "a string, b string").createOrReplaceTempView("pairs")
    similarity = macros.name_similarity("a", "b")
    one_edit = macros.within_one_edit("a", "b")
    on_spark = {
        (row.a, row.b): (row.similarity, row.one_edit)
        for row in spark.sql(
            f"select a, b, {similarity} as similarity, {one_edit} as one_edit from pairs"
        ).collect()
    }
    conn = duckdb.connect()
    on_duckdb = {
        (a, b): (similarity, one_edit)
        for a, b, similarity, one_edit in conn.execute(
            "select a, b, jaro_winkler_similarity(a, b), damerau_levenshtein(a, b) <= 1 "
            "from (select unnest(?) as a, unnest(?) as b)",
            [[a for a, _ in pairs], [b for _, b in pairs]],
        ).fetchall()
    }
    assert on_spark.keys() == on_duckdb.keys()
    for pair, (duck_similarity, duck_one_edit) in on_duckdb.items():
        spark_similarity, spark_one_edit = on_spark[pair]
        assert spark_similarity == pytest.approx(duck_similarity, abs=1e-9), pair
        assert spark_one_edit == duck_one_edit, pair


def test_identifier_hygiene_matches_the_case_table(spark) -> None:
    macros = _spark_macros()
    with CASES_FILE.open(encoding="utf-8", newline="") as handle:
        cases = list(csv.DictReader(handle))
    spark.createDataFrame(
        [(c["source_record_id"], c["identifier_type"], c["raw_value"]) for c in cases],
        "id string, kind string, raw string",
    ).createOrReplaceTempView("cases")
    rows = spark.sql(
        f"select id, {macros.normalise_email('raw')} as email, "
        f"{macros.phone_lookup_key('raw')} as phone from cases"
    ).collect()
    got = {row.id: (row.email, row.phone) for row in rows}
    for case in cases:
        email, phone = got[case["source_record_id"]]
        value = email if case["identifier_type"] == "email" else phone
        assert value == case["expected_value"], case["note"]
