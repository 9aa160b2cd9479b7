"""The same demo exports through the whole pipeline twice, once with dbt on DuckDB and once on
Spark (CDP_DBT_TARGET=spark, a local PySpark session), through the same `cdp run` and Dagster
job: the identity contract, the profiles, every segment and every export file must be the same.

300 people keep it to a few minutes on two cores (see docs/scaling-out.md).
"""

from __future__ import annotations

import math
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from cdp.predictive.scoring import PROFILE_TRAITS
from tests.conftest import AS_OF, CdpEnv

PEOPLE = "300"
SEED = "11"


class SparkEnv(CdpEnv):
    """A CDP environment whose dbt target is the local Spark session."""

    def environ(self) -> dict[str, str]:
        return {**super().environ(), "CDP_DBT_TARGET": "spark"}


def query(env: CdpEnv, sql: str) -> list[tuple]:
    conn = duckdb.connect(str(env.warehouse), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, spark_ready: None) -> tuple[CdpEnv, CdpEnv]:
    root = tmp_path_factory.mktemp("parity")
    on_duckdb = CdpEnv(root / "duckdb")
    on_spark = SparkEnv(root / "spark")
    for env in (on_duckdb, on_spark):
        env.root.mkdir()
    # --fuzzy: shoppers only probabilistic links can join, so both engines decide some.
    on_duckdb.cdp("demo-data", "--people", PEOPLE, "--seed", SEED, "--as-of", AS_OF, "--fuzzy")
    shutil.copytree(on_duckdb.landing, on_spark.landing)
    on_duckdb.cdp("run", "--as-of", AS_OF)
    on_spark.cdp("run", "--as-of", AS_OF)
    return on_duckdb, on_spark


def _normalised(value: object) -> object:
    """Values as both engines should agree on them: floats (model outputs) to 9 digits."""
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.9g}")
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def _rows(env: CdpEnv, relation: str, columns: list[str]) -> set[tuple]:
    select = ", ".join(f'"{column}"' for column in columns)
    return {
        tuple(_normalised(v) for v in row) for row in query(env, f"select {select} from {relation}")
    }


def _columns(env: CdpEnv, schema: str, table: str) -> list[str]:
    return [
        name
        for (name,) in query(
            env,
            "select column_name from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{table}' order by column_name",
        )
    ]


def _differences(left: set[tuple], right: set[tuple], limit: int = 5) -> str:
    only_left = sorted(left - right, key=repr)[:limit]
    only_right = sorted(right - left, key=repr)[:limit]
    return f"only on DuckDB: {only_left}\nonly on Spark: {only_right}"


def test_spark_results_come_from_spark(runs: tuple[CdpEnv, CdpEnv]) -> None:
    """The Spark run's marts are views over the Parquet files Spark wrote, not DuckDB tables."""
    on_duckdb, on_spark = runs
    kinds = dict(
        query(
            on_spark,
            "select table_name, table_type from information_schema.tables "
            "where table_schema = 'marts'",
        )
    )
    assert kinds.get("profiles") == "VIEW" and kinds.get("person_identifiers") == "VIEW", kinds
    spark_tables = on_spark.root / "warehouse" / "spark" / "tables" / "marts.db"
    assert (spark_tables / "profiles").is_dir(), list(spark_tables.parent.glob("*"))
    [(duckdb_kind,)] = query(
        on_duckdb,
        "select table_type from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'profiles'",
    )
    assert duckdb_kind == "BASE TABLE"


def test_person_identifiers_are_identical(runs: tuple[CdpEnv, CdpEnv]) -> None:
    on_duckdb, on_spark = runs
    columns = ["identifier_type", "identifier_value", "person_id"]
    expected = _rows(on_duckdb, "marts.person_identifiers", columns)
    actual = _rows(on_spark, "marts.person_identifiers", columns)
    assert len(expected) > 300
    assert actual == expected, _differences(expected, actual)


def test_probabilistic_links_are_decided_alike(runs: tuple[CdpEnv, CdpEnv]) -> None:
    """Splink scores on DuckDB in both runs (docs/identity.md); the guards, the links and the
    people they join are dbt models that run on Spark in the Spark run."""
    on_duckdb, on_spark = runs
    columns = ["record_key_l", "record_key_r", "decision", "person_id_l", "person_id_r"]
    expected = _rows(on_duckdb, "marts.identity_probabilistic_links", columns)
    actual = _rows(on_spark, "marts.identity_probabilistic_links", columns)
    assert any(row[2] == "link" for row in expected)
    assert actual == expected, _differences(expected, actual)


def test_profiles_are_identical(runs: tuple[CdpEnv, CdpEnv]) -> None:
    """Every column of every profile (floats to 9 significant digits), but the predictive traits:
    fitted by numerical optimisation (cdp/predictive/) on each run's purchase summary, they are
    the same model to within the optimiser's rounding (test_predictive_traits_agree)."""
    on_duckdb, on_spark = runs
    columns = [c for c in _columns(on_duckdb, "marts", "profiles") if c not in PROFILE_TRAITS]
    assert [
        c for c in _columns(on_spark, "marts", "profiles") if c not in PROFILE_TRAITS
    ] == columns
    expected = _rows(on_duckdb, "marts.profiles", columns)
    actual = _rows(on_spark, "marts.profiles", columns)
    assert len(expected) > 250
    if actual != expected:
        by_person = {row[columns.index("person_id")]: row for row in actual}
        differing = []
        for row in sorted(expected - actual, key=repr)[:5]:
            other = by_person.get(row[columns.index("person_id")])
            pairs = zip(columns, row, other or [None] * len(row), strict=True)
            differing.append({column: (a, b) for column, a, b in pairs if a != b})
        pytest.fail(f"{len(expected ^ actual)} differing rows; DuckDB vs Spark: {differing}")


def test_profile_totals_are_identical(runs: tuple[CdpEnv, CdpEnv]) -> None:
    on_duckdb, on_spark = runs
    totals = (
        "select count(*), count(distinct person_id), sum(total_orders), sum(total_revenue), "
        "sum(online_revenue), sum(store_revenue), count(email), "
        "sum(case when is_email_marketable then 1 else 0 end) from marts.profiles"
    )
    assert query(on_spark, totals) == query(on_duckdb, totals)


def _segments(env: CdpEnv) -> set[str]:
    return {
        name
        for (name,) in query(
            env,
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_name like 'segment\\_%' escape '\\' "
            "and table_name not in ('segment_memberships', 'segment_membership_history')",
        )
    }


def test_every_segment_has_the_same_members(runs: tuple[CdpEnv, CdpEnv]) -> None:
    on_duckdb, on_spark = runs
    segments = _segments(on_duckdb)
    assert len(segments) >= 3 and _segments(on_spark) == segments
    for segment in sorted(segments):
        expected = _rows(on_duckdb, f"marts.{segment}", ["person_id"])
        actual = _rows(on_spark, f"marts.{segment}", ["person_id"])
        assert actual == expected, f"{segment}: {_differences(expected, actual)}"
    columns = ["segment_name", "person_id", "entered_at", "exited_at"]
    history = _rows(on_duckdb, "marts.segment_membership_history", columns)
    assert _rows(on_spark, "marts.segment_membership_history", columns) == history


def test_export_files_are_identical(runs: tuple[CdpEnv, CdpEnv]) -> None:
    """The audience files built from the Spark results are byte for byte the DuckDB ones."""
    on_duckdb, on_spark = runs
    files = sorted(p.relative_to(on_duckdb.exports) for p in on_duckdb.exports.rglob("*.csv"))
    assert files
    assert sorted(p.relative_to(on_spark.exports) for p in on_spark.exports.rglob("*.csv")) == files
    for relative in files:
        expected = (on_duckdb.exports / relative).read_bytes()
        assert (on_spark.exports / Path(relative)).read_bytes() == expected, relative


def test_predictive_traits_agree(runs: tuple[CdpEnv, CdpEnv]) -> None:
    on_duckdb, on_spark = runs
    columns = ["person_id", *PROFILE_TRAITS]
    assert set(PROFILE_TRAITS) <= set(_columns(on_spark, "marts", "profiles"))
    expected = {
        row[0]: row[1:]
        for row in query(on_duckdb, f"select {', '.join(columns)} from marts.profiles")
    }
    actual = {
        row[0]: row[1:]
        for row in query(on_spark, f"select {', '.join(columns)} from marts.profiles")
    }
    assert actual.keys() == expected.keys()
    assert sum(v[0] is not None for v in expected.values()) > 100
    differing = [
        (person, trait, a, b)
        for person, values in expected.items()
        for trait, a, b in zip(PROFILE_TRAITS, values, actual[person], strict=True)
        if (a is None) != (b is None)
        or (a is not None and float(b) != pytest.approx(float(a), rel=1e-2, abs=1e-2))
    ]
    assert not differing, differing[:5]
