"""Vocabulary values: the normalised token, the seed, and the Great Expectations check on it."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from ingestion.loader import load_source
from ingestion.sources import SOURCES
from ingestion.vocabulary import SEED, normalise_token, token_sql, vocabularies

CASES = [
    ("Subscribed", "subscribed"),
    ("  UNSUBSCRIBED\t", "unsubscribed"),
    ("\u00a0Subscribed\u200b", "subscribed"),  # no-break space, zero-width space
    ("Product Viewed", "product_viewed"),
    (" PRODUCT-VIEWED ", "product_viewed"),
    ("PARTIALLY_REFUNDED", "partially_refunded"),
    ("Désabonné", "desabonne"),
    ("Straße", "strasse"),
    ("Ærø", "aero"),
    ("Łódź", "lodz"),
    ("Côte d’Ivoire", "cote_d_ivoire"),
    ("São Tomé & Príncipe", "sao_tome_principe"),
    ("---", ""),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "token"), CASES)
def test_normalised_token_ignores_case_accents_and_spacing(raw: str, token: str) -> None:
    assert normalise_token(raw) == token


def test_duckdb_sql_and_python_give_the_same_token() -> None:
    conn = duckdb.connect()
    values = [raw for raw, _ in CASES] + [None]
    conn.execute("create table t (v varchar)")
    conn.executemany("insert into t values (?)", [[v] for v in values])
    got = dict(conn.execute(f"select v, {token_sql('v')} from t").fetchall())
    assert got == {v: normalise_token(v) for v in values}


def test_seed_has_one_row_per_token_and_tokens_are_normalised() -> None:
    with SEED.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["vocabulary", "token", "canonical_value"]
    keys = Counter((row["vocabulary"], row["token"]) for row in rows)
    assert [key for key, count in keys.items() if count > 1] == []
    assert all(row["token"] == normalise_token(row["token"]) and row["token"] for row in rows)


def test_countries_and_currencies_map_codes_and_names_to_iso_codes() -> None:
    country = vocabularies()["country"]
    for raw, code in [
        ("US", "US"),
        ("usa", "US"),
        ("United States", "US"),
        ("États-Unis", "US"),
        ("DEU", "DE"),
        ("Deutschland", "DE"),
        ("Allemagne", "DE"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("España", "ES"),
        ("Côte d’Ivoire", "CI"),
        ("Türkiye", "TR"),
    ]:
        assert country[normalise_token(raw)] == code, raw
    currency = vocabularies()["currency"]
    for raw, code in [
        ("usd", "USD"),
        ("US Dollar", "USD"),
        ("euro", "EUR"),
        ("Euros", "EUR"),
        ("Japanese Yen", "JPY"),
        ("livre sterling", "GBP"),
    ]:
        assert currency[normalise_token(raw)] == code, raw


def test_consent_vocabularies_map_only_documented_values_to_consent() -> None:
    square = vocabularies()["square_email_subscription_status"]
    assert square == {
        "subscribed": "subscribed",
        "unsubscribed": "unsubscribed",
        "unknown": "unknown",
    }
    shopify = vocabularies()["shopify_marketing_state"]
    assert [token for token, value in shopify.items() if value == "subscribed"] == ["subscribed"]


def test_expectations_on_a_vocabulary_column_compare_tokens(tmp_path: Path) -> None:
    """Lower-case and padded statuses pass the suite; only a value outside the vocabulary
    fails it, and blank cells count as missing."""
    folder = tmp_path / "square"
    folder.mkdir()
    header = ["Square Customer ID", "Email Address", "Email Subscription Status"]
    rows = [
        ["C1", "a@example.com", "subscribed"],
        ["C2", "b@example.com", " UNSUBSCRIBED "],
        ["C3", "c@example.com", "Subscribed"],
        ["C4", "d@example.com", "Maybe"],
        ["C5", "e@example.com", ""],
    ]
    with (folder / "customers-2025-06-30.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    conn = duckdb.connect()
    report = load_source(conn, SOURCES["square_customers"], tmp_path)
    assert [f.status for f in report.files] == ["loaded"]
    [(success, count, sample, kwargs)] = conn.execute(
        "select success, unexpected_count, sample, kwargs from meta.validation_results "
        "where column_name = 'email_subscription_status'"
    ).fetchall()
    assert (success, count, json.loads(sample)) == (False, 1, ["maybe"])
    assert json.loads(kwargs)["vocabulary"] == "square_email_subscription_status"
