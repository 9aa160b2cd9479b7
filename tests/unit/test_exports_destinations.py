"""Each destination's exact headers and value rules, with the platforms' published examples."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from exports import SegmentSpec, export_segment
from exports.destinations import DESTINATIONS
from exports.hashing import (
    google_email,
    google_name,
    google_phone,
    google_zip,
    meta_city,
    meta_country,
    meta_email,
    meta_name,
    meta_phone,
    meta_state,
    meta_zip,
    sha256_hex,
)
from exports.suppression import normalise_phone
from tests.unit.test_exports import GENERATED_AT, _conn

ALL = tuple(sorted(DESTINATIONS))
SEGMENT = SegmentSpec(
    name="vip_customers",
    model_name="segment_vip_customers",
    relation="marts.segment_vip_customers",
    description="",
    channel="email",
    destinations=ALL,
    refresh="daily",
)


def sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@pytest.fixture
def conn() -> duckdb.DuckDBPyConnection:
    connection = _conn()
    yield connection
    connection.close()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _header(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("\n", 1)[0]


# --- published normalisation examples ------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "raw", "normalised", "digest"),
    [
        # Meta, Conversions API "Customer information parameters": em, ph, fn examples.
        (
            meta_email,
            "John_Smith@gmail.com",
            "john_smith@gmail.com",
            "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f",
        ),
        (
            meta_name,
            "Mary",
            "mary",
            "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec",
        ),
        (meta_name, "정", "정", "8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14"),
        (
            meta_name,
            "Valéry",
            "valéry",
            "08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c",
        ),
    ],
)
def test_meta_published_examples(function, raw: str, normalised: str, digest: str) -> None:
    assert function(raw) == normalised
    assert sha256_hex(function(raw)) == digest


def test_meta_phone_published_example() -> None:
    # "US phone number (650)555-1212 → 16505551212 → e323ec…": the profile holds E.164.
    e164 = normalise_phone("(650)555-1212", "US")
    assert e164 == "+16505551212"
    assert meta_phone(e164) == "16505551212"
    assert (
        sha256_hex(meta_phone(e164))
        == "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"
    )


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        # Google Data Manager API "Format user data" examples.
        ("cloudy.sanfrancisco+shopping@gmail.com", "cloudysanfrancisco@gmail.com"),
        ("user.name+NYC@Example.com", "user.name+nyc@example.com"),
        ("  Jane.Doe@GoogleMail.com ", "janedoe@googlemail.com"),
        ("jane doe@example.com", "janedoe@example.com"),  # intermediate whitespace removed
        ("not-an-email", ""),
    ],
)
def test_google_email_rules(raw: str, normalised: str) -> None:
    assert google_email(raw) == normalised


def test_google_phone_keeps_the_plus_and_meta_drops_it() -> None:
    e164 = normalise_phone("(800)555-0100", "US")  # Google's example
    assert google_phone(e164) == "+18005550100"
    assert meta_phone(e164) == "18005550100"
    assert google_phone("800 555 0100") == "" and meta_phone("=1+2") == ""


def test_name_city_state_zip_country_rules() -> None:
    assert google_name("  Mrs. Jane ") == "jane"
    assert google_name("Smith Jr.", last=True) == "smith"
    assert google_name("Mary Ann") == "mary ann"
    assert meta_name("O'Neil-Smith") == "oneilsmith"
    assert meta_city("New York") == "newyork"
    assert meta_state("CA") == "ca"
    assert meta_country("US") == "us" and meta_country("USA") == ""
    assert meta_zip("94035-1234", "us") == "94035"
    assert meta_zip("SW1A 1AA", "gb") == "sw1a1"
    assert meta_zip("75 001", "fr") == "75001"
    assert google_zip("94035-1234", "US") == "94035-1234"
    assert google_zip("9403", "US") == ""


# --- files ---------------------------------------------------------------------------------


def test_google_customer_match_file_is_hashed_with_plain_country_and_zip(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    result = export_segment(conn, SEGMENT, "google_customer_match", tmp_path, GENERATED_AT)

    assert result.path.name == "customer_match.csv"
    assert _header(result.path) == "Email,Phone,First Name,Last Name,Country,Zip"
    rows = {r["Email"]: r for r in _rows(result.path)}
    # Same consent rule as email marketing: p1, p5, p8 (p2/p3 unconsented, p9 conflicts).
    assert set(rows) == {sha("ann@example.com"), sha("eve@example.com"), sha("gus@example.com")}
    ann = rows[sha("ann@example.com")]
    assert ann["Phone"] == sha("+15551234567")  # Ann agreed to SMS marketing: E.164 with +
    assert (ann["First Name"], ann["Last Name"]) == (sha("ann"), sha("lee"))
    assert (ann["Country"], ann["Zip"]) == ("US", "62701")
    gus = rows[sha("gus@example.com")]
    assert gus["Phone"] == ""  # no SMS consent: the phone is not used
    assert gus["First Name"] == gus["Country"] == ""  # no zip/country: no address match
    raw = result.path.read_text(encoding="utf-8")
    for plain in ("ann@example.com", "+15551234567", "Ann", "Lee"):
        assert plain not in raw
    assert result.refused["no_ads_consent"] == 2
    assert result.marketing_channel == "ads"


def test_meta_custom_audience_file_hashes_every_identifier(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    result = export_segment(conn, SEGMENT, "meta_custom_audience", tmp_path, GENERATED_AT)

    assert result.path.name == "custom_audience.csv"
    assert _header(result.path) == "email,phone,fn,ln,ct,st,zip,country"
    ann = next(r for r in _rows(result.path) if r["email"] == sha("ann@example.com"))
    assert ann == {
        "email": sha("ann@example.com"),
        "phone": sha("15551234567"),
        "fn": sha("ann"),
        "ln": sha("lee"),
        "ct": sha("springfield"),
        "st": sha("il"),
        "zip": sha("62701"),
        "country": sha("us"),
    }
    for row in _rows(result.path):
        assert all(value == "" or len(value) == 64 for value in row.values())


def test_salesforce_contacts_use_api_field_names_and_need_a_last_name(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    conn.execute("update marts.profiles set last_name = null where person_id = 'p3'")
    result = export_segment(conn, SEGMENT, "salesforce", tmp_path, GENERATED_AT)

    assert _header(result.path) == (
        "FirstName,LastName,Email,Phone,MailingStreet,MailingCity,MailingState,"
        "MailingPostalCode,MailingCountry,HasOptedOutOfEmail,CDP_Person_ID__c"
    )
    rows = {r["CDP_Person_ID__c"]: r for r in _rows(result.path)}
    assert sorted(rows) == ["p1", "p2", "p5", "p8"]
    assert result.refused["missing_last_name"] == 1
    assert rows["p1"]["MailingStreet"] == "1 Main St, Apt 2"
    assert rows["p1"]["HasOptedOutOfEmail"] == "false"
    assert rows["p2"]["HasOptedOutOfEmail"] == "true"
    assert rows["p5"]["FirstName"] == '\'=HYPERLINK("http://x")'  # neutralised


def test_jsonl_and_parquet_hold_everyone_with_typed_columns(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    jsonl = export_segment(conn, SEGMENT, "jsonl", tmp_path, GENERATED_AT)
    parquet = export_segment(conn, SEGMENT, "parquet", tmp_path, GENERATED_AT)

    records = [json.loads(line) for line in jsonl.path.read_text(encoding="utf-8").splitlines()]
    # Data teams get every person with a profile, email or not (p4 has none).
    assert [r["person_id"] for r in records] == ["p1", "p2", "p3", "p4", "p5", "p7", "p8", "p9"]
    assert jsonl.refused == {"missing_person_id": 1, "not_in_profiles": 1}
    p3 = next(r for r in records if r["person_id"] == "p3")
    assert p3["is_email_marketable"] is False and p3["phone"] is None
    p5 = next(r for r in records if r["person_id"] == "p5")
    assert p5["first_name"] == '=HYPERLINK("http://x")'  # not a spreadsheet: left as data
    table = pq.read_table(io.BytesIO(parquet.path.read_bytes()))
    assert table.column_names == list(DESTINATIONS["parquet"].headers)
    assert str(table.schema.field("is_email_marketable").type) == "bool"
    assert table.num_rows == parquet.rows == 8
    assert table.to_pylist()[0] == records[0]


def test_webhook_without_url_is_skipped_and_writes_nothing(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    result = export_segment(conn, SEGMENT, "webhook", tmp_path, GENERATED_AT)
    assert result.status == "skipped" and "CDP_WEBHOOK_URL" in result.message
    assert not (tmp_path / "webhook").exists()


def test_every_destination_declares_its_documented_format() -> None:
    for dest in DESTINATIONS.values():
        assert dest.doc_url.startswith("https://"), dest.name
        if dest.marketing_channel == "ads":
            assert dest.phone_columns == frozenset()  # hashed, never plain E.164
        notes: Counter[str] = Counter()
        row = dest.format_row({"person_id": "p", "in_profiles": True}, SEGMENT, notes)
        assert list(row) == list(dest.headers), dest.name
