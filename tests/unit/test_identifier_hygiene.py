"""Identifier hygiene: the Python definition and the dbt macros against one case table.

`dbt_project/seeds/identifier_hygiene_cases.csv` holds raw emails and phones as sources write
them and what each must become. Python reads it here; dbt checks its macros against the same
rows in `tests/singular/identifier_hygiene_macros_match_cases.sql` (run below on a scratch
warehouse), so the two definitions cannot drift apart. Everything in Python that compares
identifiers (erasure, the suppression list, ad-platform hashing, the phone lookup) must agree
with them.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from cdp.core import identifier_hygiene
from cdp.core.phone_numbers import to_e164
from cdp.privacy import identifiers as privacy
from exports import hashing, suppression
from ingestion.phone_lookup import refresh_lookup

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
CASES_FILE = DBT_PROJECT / "seeds" / "identifier_hygiene_cases.csv"


def _cases() -> list[dict[str, str]]:
    with CASES_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


CASES = _cases()
EMAILS = [case for case in CASES if case["identifier_type"] == "email"]
PHONES = [case for case in CASES if case["identifier_type"] == "phone"]


def _id(case: dict[str, str]) -> str:
    return f"{case['source_record_id']}: {case['note']}"


def test_the_table_covers_every_rule() -> None:
    """Each documented rule has a case, for emails and for phones (a case deleted by mistake
    would otherwise leave a rule untested in both languages at once)."""
    email_raw = "".join(case["raw_value"] for case in EMAILS)
    phone_raw = "".join(case["raw_value"] for case in PHONES)
    email_characters = "\t\n\r \u00a0\u200b\u200c\u200d\u2060\ufeff\u3000\u00ad<>\"'\u201c\u2018"
    for character in email_characters:
        assert character in email_raw, f"no email case with {character!r}"
    for character in ["\t", " ", "\u00a0", "\u200b", "\ufeff", "'", '"']:
        assert character in phone_raw, f"no phone case with {character!r}"
    assert any(case["raw_value"].lower().startswith("mailto:") for case in EMAILS)
    assert any(case["raw_value"].startswith("MAILTO:") for case in EMAILS)
    assert any(case["raw_value"].lower().startswith("tel:") for case in PHONES)
    assert any(case["raw_value"].startswith("'+") for case in PHONES)
    unchanged = [case for case in CASES if case["raw_value"] == case["expected_value"]]
    assert len(unchanged) >= 5, "ordinary values that must not change"


@pytest.mark.parametrize("case", EMAILS, ids=_id)
def test_email_cases(case: dict[str, str]) -> None:
    assert identifier_hygiene.normalise_email(case["raw_value"]) == case["expected_value"]


@pytest.mark.parametrize("case", PHONES, ids=_id)
def test_phone_cases(case: dict[str, str]) -> None:
    assert identifier_hygiene.phone_lookup_key(case["raw_value"]) == case["expected_value"]


def test_sql_functions_match_the_table() -> None:
    """The DuckDB functions erasure uses are the same definition, row for row."""
    conn = duckdb.connect()
    identifier_hygiene.register_sql_functions(conn)
    identifier_hygiene.register_sql_functions(conn)  # idempotent
    rows = conn.execute(
        "select cdp_normalise_email(raw), cdp_phone_lookup_key(raw) from unnest(?) as t(raw)",
        [[case["raw_value"] for case in CASES]],
    ).fetchall()
    for case, (email, phone) in zip(CASES, rows, strict=True):
        got = email if case["identifier_type"] == "email" else phone
        assert got == case["expected_value"], _id(case)
    assert conn.execute("select cdp_normalise_email(null)").fetchall() == [(None,)]


def test_the_held_out_trailing_tab_is_a_plausible_email() -> None:
    """The held-out data's `address<TAB>` was refused as implausible: never again."""
    cleaned = identifier_hygiene.normalise_email("Ann.Lee@Example.com\t")
    assert cleaned == "ann.lee@example.com"


def test_phone_keys_parse_to_the_same_number() -> None:
    """Every spelling of one US number in the table parses to one E.164 number."""
    us_number = [
        case for case in PHONES if "415" in case["raw_value"] and "ext" not in case["raw_value"]
    ]
    assert len(us_number) >= 8
    assert {to_e164(case["raw_value"], "US")[0] for case in us_number} == {"+14155552671"}


def test_python_users_agree_with_identity() -> None:
    """Suppression, erasure input and ad-platform hashing read emails and phones as identity
    does (the platform rules apply on top: Google's gmail dots, Meta's digits-only phone)."""
    for case in EMAILS:
        expected = case["expected_value"]
        if "@" not in expected:
            continue
        raw = case["raw_value"]
        assert suppression.normalise_email(raw) == expected, _id(case)
        assert privacy.normalise_input(raw, "US") == ("email", expected), _id(case)
        assert hashing.meta_email(raw) == expected, _id(case)
        assert hashing.google_email(raw) == expected, _id(case)  # no gmail address here
    for case in PHONES:
        e164, _ = to_e164(case["raw_value"], "US")
        if e164 is None:
            continue
        assert suppression.normalise_phone(case["raw_value"], "US") == e164, _id(case)
        assert privacy.normalise_input(case["raw_value"], "US") == ("phone", e164), _id(case)


def test_phone_lookup_is_keyed_like_dbt() -> None:
    """Ingestion stores each raw phone under its hygiene key, parsed once per key."""
    conn = duckdb.connect()
    conn.execute("create schema raw")
    conn.execute("create table raw.square_customers (phone_number varchar, _source_file varchar)")
    raws = ["\t'+1 415 555 2671", '"+1 415 555 2671"', "tel:+14155552671", "+1 415 555 2671"]
    conn.executemany("insert into raw.square_customers values (?, 'f.csv')", [[r] for r in raws])
    assert refresh_lookup(conn, "US") == 1  # four spellings, one key
    rows = dict(conn.execute("select raw_phone, phone_e164 from raw.phone_numbers").fetchall())
    assert rows == {"+14155552671": "+14155552671"}
    assert refresh_lookup(conn, "US") == 0


def test_dbt_macros_match_the_table(tmp_path: Path) -> None:
    """The dbt side: the seed and its singular test, on a scratch DuckDB warehouse."""
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")), "build",
            "--select", "identifier_hygiene_cases", "identifier_hygiene_macros_match_cases",
            "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
            "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
        ],
        env={**os.environ, "CDP_WAREHOUSE": str(tmp_path / "w.duckdb")},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:]
    assert "identifier_hygiene_macros_match_cases" in result.stdout


def test_source_ids_are_cleaned_like_the_staging_macros() -> None:
    """Shopify / Square ids as staging keys them (`shopify_id`, `strip_leading_apostrophe`),
    in Python and through the SQL function erasure uses."""
    raw = [" '7614304534787", "gid://shopify/Customer/7614304534787", "7614304534787 ", None]
    expected = ["7614304534787", "7614304534787", "7614304534787", None]
    assert identifier_hygiene.source_ids(raw).to_pylist() == expected
    conn = duckdb.connect()
    identifier_hygiene.register_sql_functions(conn)
    sql = f"select {identifier_hygiene.SQL_SOURCE_ID}(v) from unnest(?) as t(v)"
    assert [row[0] for row in conn.execute(sql, [raw]).fetchall()] == expected
