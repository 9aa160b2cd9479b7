"""Person ids stay stable across runs; merges keep the older id; never_link rules split people."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from cdp.cli.explain import explain_person
from ingestion.loader import load_source
from ingestion.phone_lookup import refresh_lookup
from ingestion.sources import SOURCES, CsvFormat

REPO = Path(__file__).resolve().parents[2]


def write_csv(path: Path, table: str, rows: list[dict[str, str]]) -> None:
    fmt = SOURCES[table].format
    assert isinstance(fmt, CsvFormat)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(fmt.headers))
        writer.writeheader()
        for row in rows:
            writer.writerow(row)


class Warehouse:
    """A tiny landing folder, a DuckDB warehouse and a private copy of the dbt project."""

    def __init__(self, root: Path) -> None:
        self.landing = root / "landing"
        self.path = root / "cdp.duckdb"
        self.project = root / "dbt_project"
        shutil.copytree(
            REPO / "dbt_project", self.project, ignore=shutil.ignore_patterns("target", "logs")
        )

    def never_link(self, *rows: str) -> None:
        seed = self.project / "seeds" / "identity_never_link.csv"
        with seed.open("a", encoding="utf-8") as handle:
            handle.writelines(row + "\n" for row in rows)

    def build(self, *extra: str) -> None:
        conn = duckdb.connect(str(self.path))
        for spec in SOURCES.values():
            load_source(conn, spec, self.landing)
        refresh_lookup(conn, "US")
        conn.close()
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("dbt")), "build",
                "--select", "+identity_merges", "+person_identifiers",
                "+identity_refused_links", "identity_person_registry", "int_person_identifiers",
                "--indirect-selection", "cautious",
                "--project-dir", str(self.project), "--profiles-dir", str(self.project),
                *extra,
            ],
            env={**os.environ, "CDP_WAREHOUSE": str(self.path)},
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout[-5000:]

    def query(self, sql: str) -> list[tuple]:
        conn = duckdb.connect(str(self.path), read_only=True)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def person_of(self, identifier_type: str, value: str) -> str:
        rows = self.query(
            "select person_id from marts.person_identifiers "
            f"where identifier_type = '{identifier_type}' and identifier_value = '{value}'"
        )
        assert len(rows) == 1, (identifier_type, value, rows)
        return rows[0][0]


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Three runs: two people; a Shopify account that merges them; a rule that splits them."""
    wh = Warehouse(tmp_path_factory.mktemp("identity"))
    write_csv(
        wh.landing / "mailchimp" / "subscribed_members_export_a1.csv",
        "mailchimp_members",
        [{"Email Address": "Ann@X.com", "First Name": "Ann", "Phone Number": "(415) 555-2671",
          "LAST_CHANGED": "2024-01-01 10:00:00", "EUID": "eu-ann", "LEID": "1"}],
    )  # fmt: skip
    write_csv(
        wh.landing / "square" / "customers-2024-06-01.csv",
        "square_customers",
        [{"Square Customer ID": "SQ-B", "First Name": "Ann", "Email Address": "ann.b@y.com",
          "Phone Number": "212-555-0188", "First Visit": "06/01/2024"}],
    )  # fmt: skip
    wh.build()
    run1 = {
        "ann": wh.person_of("email", "ann@x.com"),
        "store": wh.person_of("square_customer_id", "SQ-B"),
    }
    wh.build()  # the same data again
    rerun = {
        "ann": wh.person_of("email", "ann@x.com"),
        "store": wh.person_of("square_customer_id", "SQ-B"),
    }

    write_csv(
        wh.landing / "shopify" / "customers_export.csv",
        "shopify_customers",
        [{"Customer ID": "'777", "First Name": "Ann", "Email": "ann@x.com",
          "Phone": "'+12125550188", "Accepts Email Marketing": "yes"}],
    )  # fmt: skip
    wh.build()
    merged = {
        "ann": wh.person_of("email", "ann@x.com"),
        "store": wh.person_of("square_customer_id", "SQ-B"),
        "events": wh.query(
            "select event_type, old_person_id, new_person_id, reason from marts.identity_merges"
        ),
    }

    wh.never_link("phone,+12125550188,,,Ann's shop account used her mother's number")
    wh.build()
    split = {
        "ann": wh.person_of("email", "ann@x.com"),
        "account": wh.person_of("shopify_customer_id", "777"),
        "store": wh.person_of("square_customer_id", "SQ-B"),
        "store_email": wh.person_of("email", "ann.b@y.com"),
        "events": wh.query(
            "select event_type, old_person_id, new_person_id from marts.identity_merges "
            "order by occurred_at, event_type"
        ),
        "refused": wh.query(
            "select identifier_type, identifier_value, reason from marts.identity_refused_links"
        ),
    }
    conn = duckdb.connect(str(wh.path), read_only=True)
    split["explained"] = explain_person(conn, split["ann"])
    conn.close()
    wh.build("--full-refresh")
    rebuilt = {
        "ann": wh.person_of("email", "ann@x.com"),
        "store": wh.person_of("square_customer_id", "SQ-B"),
        "events": wh.query("select count(*) from marts.identity_merges")[0][0],
    }
    return {"run1": run1, "rerun": rerun, "merged": merged, "split": split, "rebuilt": rebuilt}


def test_two_people_without_a_shared_identifier_stay_apart(story) -> None:
    assert story["run1"]["ann"] != story["run1"]["store"]


def test_rerun_on_the_same_data_keeps_every_id(story) -> None:
    assert story["rerun"] == story["run1"]


def test_merge_keeps_the_older_persons_id_and_is_recorded(story) -> None:
    run1, merged = story["run1"], story["merged"]
    # Ann's Mailchimp record (2024-01) is older than the store customer (2024-06).
    assert merged["ann"] == merged["store"] == run1["ann"]
    [(event_type, old, new, reason)] = merged["events"]
    assert (event_type, old, new) == ("merge", run1["store"], run1["ann"])
    assert "shopify_customers" in reason


def test_never_link_rule_splits_the_person_and_records_the_split(story) -> None:
    run1, split = story["run1"], story["split"]
    # The larger part (email, phone, EUID, Shopify account) keeps the older id.
    assert split["ann"] == split["account"] == run1["ann"]
    assert split["store"] == split["store_email"] != run1["ann"]
    assert ("split", run1["ann"], split["store"]) in split["events"]
    assert ("phone", "+12125550188", "never_link rule") in split["refused"]


def test_full_refresh_keeps_ids_and_history(story) -> None:
    split, rebuilt = story["split"], story["rebuilt"]
    assert rebuilt["ann"] == split["ann"] and rebuilt["store"] == split["store"]
    assert rebuilt["events"] == len(split["events"])


def test_explain_shows_identifiers_linking_records_refusals_and_history(story) -> None:
    split = story["split"]
    facts = split["explained"]
    assert ("email", "ann@x.com") in {(t, v) for t, v, *_ in facts["identifiers"]}
    linked = {(a, b, table) for a, b, table, *_ in facts["links"]}
    assert any(table == "shopify_customers" for *_, table in linked)
    assert ("phone", "+12125550188", "never_link rule") in {r[:3] for r in facts["refused"]}
    assert {event for _, event, *_ in facts["events"]} == {"merge", "split"}
