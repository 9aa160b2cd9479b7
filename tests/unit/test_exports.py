"""Reverse-ETL export library: segment specs from dbt's manifest, destination files, manifest."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import pytest

import exports.destinations as destinations_module
from exports import (
    DESTINATIONS,
    ExportError,
    SegmentSpec,
    export_segment,
    get_destination,
    load_segment_specs,
)
from exports.csv_safety import e164_or_blank, neutralise
from exports.destinations.hubspot import LIFECYCLE_STAGES
from exports.destinations.mailchimp import format_tags

GENERATED_AT = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)

MAILCHIMP_HEADERS = ["Email Address", "First Name", "Last Name", "Address", "Phone Number", "Tags"]
HUBSPOT_HEADERS = [
    "Email",
    "First Name",
    "Last Name",
    "Phone Number",
    "Street Address",
    "City",
    "State/Region",
    "Postal Code",
    "Country/Region",
    "Lifecycle Stage",
    "CDP Person ID",
    "CDP Email Marketable",
]

PROFILE_DDL = """
create schema if not exists marts;
create table marts.profiles (
    person_id varchar, email varchar, phone varchar, first_name varchar, last_name varchar,
    address_line_1 varchar, address_line_2 varchar, city varchar, region varchar,
    postal_code varchar, country_code varchar, is_email_marketable boolean,
    is_sms_marketable boolean, lifecycle_stage varchar, total_orders integer,
    total_revenue decimal(18, 2), last_activity_at timestamp, shopify_customer_id varchar,
    square_customer_id varchar
);
create table marts.segment_vip_customers (person_id varchar, score integer);
"""

# person_id, email, phone, first, last, line1, line2, city, region, postal, country,
# email_ok, sms_ok, lifecycle
# fmt: off
PROFILES: list[tuple[Any, ...]] = [
    ("p1", "ann@example.com", "+15551234567", "Ann", "Lee", "1 Main St", "Apt 2",
     "Springfield", "IL", "62701", "US", True, True, "repeat_customer"),
    ("p2", "bob@example.com", "+15550000002", "Bob", "Unconsented", "2 Elm St", None,
     "Austin", "TX", "73301", "US", False, False, "lead"),
    ("p3", "cy@example.com", None, "Cy", "Unknown", None, None, None, None, None, None,
     None, None, "subscriber"),
    ("p4", None, "+15550000004", "Dee", "Noemail", None, None, None, None, None, None,
     True, True, "vip"),
    ("p5", "eve@example.com", "=1+2", "=HYPERLINK(\"http://x\")", "+SUM(1,2)",
     "@home", None, "-Town", "CA", "90001", "US", True, False, "lead"),
    ("p7", "ann@example.com", None, "Ann", "Twin", None, None, None, None, None, None,
     True, False, "first_time_customer"),
    ("p8", "gus@example.com", "+442071234567", "Gus, Jr.", 'O"Neil', None, None, None,
     None, None, None, True, False, "weird_stage"),
    # Consented, but shares Bob's address, which another (unmerged) profile did not consent.
    ("p9", "bob@example.com", None, "Robert", "Alias", None, None, None, None, None, None,
     True, False, "lead"),
]
# fmt: on
SEGMENT_MEMBERS = ["p9", "p1", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", None]


def _conn() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    conn.execute(PROFILE_DDL)
    conn.executemany(
        "insert into marts.profiles (person_id, email, phone, first_name, last_name, "
        "address_line_1, address_line_2, city, region, postal_code, country_code, "
        "is_email_marketable, is_sms_marketable, lifecycle_stage) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        PROFILES,
    )
    conn.executemany(
        "insert into marts.segment_vip_customers (person_id, score) values (?, 1)",
        [(member,) for member in SEGMENT_MEMBERS],
    )
    return conn


@pytest.fixture
def conn() -> duckdb.DuckDBPyConnection:
    connection = _conn()
    yield connection
    connection.close()


def _node(name: str, meta: dict[str, Any] | None, *, mirrored_only: bool = False) -> dict:
    node: dict[str, Any] = {
        "resource_type": "model",
        "name": name,
        "alias": name,
        "schema": "marts",
        "database": "warehouse",
        "config": {"meta": {}},
        "meta": {},
    }
    if meta is not None:
        node["meta"] = {"segment": meta}
        if not mirrored_only:
            node["config"]["meta"] = {"segment": meta}
    return node


VIP_META = {
    "name": "vip_customers",
    "description": "Top spenders",
    "channel": "email",
    "destinations": ["mailchimp", "hubspot"],
    "refresh": "daily",
}


def _write_manifest(path: Path, nodes: dict[str, dict]) -> Path:
    path.write_text(json.dumps({"metadata": {"dbt_version": "1.11.0"}, "nodes": nodes}))
    return path


@pytest.fixture
def vip(tmp_path: Path) -> SegmentSpec:
    manifest = _write_manifest(
        tmp_path / "manifest.json",
        {"model.cdp.segment_vip_customers": _node("segment_vip_customers", VIP_META)},
    )
    (spec,) = load_segment_specs(manifest)
    return spec


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- segment specs ---------------------------------------------------------------------------


def test_load_segment_specs_reads_segment_models_sorted_by_name(tmp_path: Path) -> None:
    lapsed = {"name": "lapsed_buyers", "channel": "crm", "destinations": ["hubspot"]}
    manifest = _write_manifest(
        tmp_path / "manifest.json",
        {
            "model.cdp.segment_vip_customers": _node("segment_vip_customers", VIP_META),
            "model.cdp.profiles": _node("profiles", None),
            "model.cdp.segment_lapsed": _node("segment_lapsed", lapsed, mirrored_only=True),
            "seed.cdp.countries": {"resource_type": "seed", "name": "countries"},
        },
    )

    specs = load_segment_specs(manifest)

    assert [s.name for s in specs] == ["lapsed_buyers", "vip_customers"]
    assert specs[1] == SegmentSpec(
        name="vip_customers",
        model_name="segment_vip_customers",
        relation="marts.segment_vip_customers",
        description="Top spenders",
        channel="email",
        destinations=("mailchimp", "hubspot"),
        refresh="daily",
    )
    assert specs[0].refresh == "daily"  # default
    assert specs[0].relation == "marts.segment_lapsed"


@pytest.mark.parametrize(
    ("meta", "fragment"),
    [
        ("vip", "must be a mapping"),
        ({**VIP_META, "destinations": ["mailchimp", "klaviyo"]}, "unknown destination"),
        ({**VIP_META, "destinations": "mailchimp"}, "non-empty list"),
        ({**VIP_META, "destinations": []}, "non-empty list"),
        ({k: v for k, v in VIP_META.items() if k != "channel"}, "channel must be one of"),
        ({**VIP_META, "channel": "fax"}, "channel must be one of"),
        ({**VIP_META, "name": "VIP Customers"}, "name must be"),
        ({k: v for k, v in VIP_META.items() if k != "name"}, "name must be"),
        ({**VIP_META, "destination": ["hubspot"]}, "unknown key"),
        ({**VIP_META, "refresh": "sometimes"}, "refresh must be one of"),
        ({**VIP_META, "channel": "sms"}, "email marketing"),
        ({**VIP_META, "channel": "crm", "destinations": ["google_customer_match"]}, "ads"),
        ({**VIP_META, "destinations": ["hubspot", "hubspot"]}, "twice"),
    ],
)
def test_malformed_meta_raises_export_error_naming_the_model(
    tmp_path: Path, meta: Any, fragment: str
) -> None:
    manifest = _write_manifest(
        tmp_path / "manifest.json",
        {"model.cdp.segment_broken": _node("segment_broken", meta)},
    )

    with pytest.raises(ExportError) as excinfo:
        load_segment_specs(manifest)

    assert "model.cdp.segment_broken" in str(excinfo.value)
    assert fragment in str(excinfo.value)


def test_duplicate_segment_names_are_rejected(tmp_path: Path) -> None:
    manifest = _write_manifest(
        tmp_path / "manifest.json",
        {
            "model.cdp.segment_a": _node("segment_a", VIP_META),
            "model.cdp.segment_b": _node("segment_b", VIP_META),
        },
    )
    with pytest.raises(ExportError, match="model.cdp.segment_a"):
        load_segment_specs(manifest)


def test_missing_manifest_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="dbt parse"):
        load_segment_specs(tmp_path / "nope" / "manifest.json")


# --- destination files -----------------------------------------------------------------------


def test_registry_names_every_destination() -> None:
    assert sorted(DESTINATIONS) == [
        "google_customer_match",
        "hubspot",
        "jsonl",
        "mailchimp",
        "meta_custom_audience",
        "parquet",
        "salesforce",
        "webhook",
    ]
    assert get_destination("mailchimp").marketing_channel == "email"
    assert get_destination("hubspot").marketing_channel is None
    assert get_destination("google_customer_match").marketing_channel == "ads"
    assert get_destination("meta_custom_audience").marketing_channel == "ads"
    with pytest.raises(ExportError, match="known destinations: google_customer_match, hubspot"):
        get_destination("klaviyo")


def test_mailchimp_file_has_exact_headers_and_only_consented_people(
    conn: duckdb.DuckDBPyConnection, vip: SegmentSpec, tmp_path: Path
) -> None:
    result = export_segment(conn, vip, "mailchimp", tmp_path / "exports", GENERATED_AT)

    assert (
        result.path == tmp_path / "exports" / "mailchimp" / "vip_customers" / "audience_import.csv"
    )
    raw = result.path.read_bytes()
    assert raw.split(b"\n", 1)[0] == b"Email Address,First Name,Last Name,Address,Phone Number,Tags"
    rows = _read(result.path)
    assert list(rows[0]) == MAILCHIMP_HEADERS
    assert [r["Email Address"] for r in rows] == [
        "ann@example.com",
        "eve@example.com",
        "gus@example.com",
    ]
    # Unconsented (false) and unknown (NULL) consent never reach an email-marketing file...
    assert b"bob@example.com" not in raw
    assert b"cy@example.com" not in raw
    # ...but are counted, as is everyone else who was left out.
    assert result.refused == {
        "duplicate_email": 1,
        "email_consent_conflict": 1,
        "missing_email": 1,
        "missing_person_id": 1,
        "no_email_consent": 2,
        "not_in_profiles": 1,
    }
    assert result.rows == 3
    assert result.segment_size == 10  # 9 distinct person_ids + 1 NULL row
    assert result.rows + result.refused_total == result.segment_size

    ann = rows[0]
    assert ann["Address"] == "1 Main St  Apt 2  Springfield  IL  62701  US"
    assert ann["Phone Number"] == "+15551234567"
    assert ann["Tags"] == "vip_customers"
    assert ann["First Name"] == "Ann"


def test_hubspot_file_columns_lifecycle_mapping_and_marketing_status(
    conn: duckdb.DuckDBPyConnection, vip: SegmentSpec, tmp_path: Path
) -> None:
    result = export_segment(conn, vip, "hubspot", tmp_path, GENERATED_AT)

    assert result.path.name == "contacts_import.csv"
    assert result.path.read_text(encoding="utf-8").split("\n", 1)[0] == ",".join(HUBSPOT_HEADERS)
    rows = {r["CDP Person ID"]: r for r in _read(result.path)}
    # A CRM gets everyone with an email, consented or not (p4 has none; p7 and p9 reuse the
    # address of p1 and p2, HubSpot's contact key).
    assert sorted(rows) == ["p1", "p2", "p3", "p5", "p8"]
    assert result.refused == {
        "duplicate_email": 2,
        "missing_email": 1,
        "missing_person_id": 1,
        "not_in_profiles": 1,
    }
    assert {pid: r["Lifecycle Stage"] for pid, r in rows.items()} == {
        "p1": "customer",
        "p2": "lead",
        "p3": "subscriber",
        "p5": "lead",
        "p8": "",  # unmapped: left blank so HubSpot keeps its current value
    }
    assert result.warnings["unmapped_lifecycle_stage:weird_stage"] == 1
    assert {pid: r["CDP Email Marketable"] for pid, r in rows.items()} == {
        "p1": "true",
        "p2": "false",
        "p3": "false",  # unknown consent is not consent
        "p5": "true",
        "p8": "true",
    }
    p1 = rows["p1"]
    assert (p1["Email"], p1["Street Address"], p1["State/Region"], p1["Country/Region"]) == (
        "ann@example.com",
        "1 Main St, Apt 2",
        "IL",
        "US",
    )
    assert p1["Postal Code"] == "62701"


def test_lifecycle_map_targets_only_hubspot_internal_values() -> None:
    assert set(LIFECYCLE_STAGES.values()) <= {
        "subscriber",
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
        "evangelist",
        "other",
    }


# --- manifest --------------------------------------------------------------------------------


def test_manifest_matches_file_and_result(
    conn: duckdb.DuckDBPyConnection, vip: SegmentSpec, tmp_path: Path
) -> None:
    generated_at = datetime(2024, 5, 1, 8, 30, tzinfo=timezone(timedelta(hours=2)))
    result = export_segment(conn, vip, "mailchimp", tmp_path, generated_at)

    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    data = result.path.read_bytes()
    assert manifest == result.manifest()
    assert manifest["sha256"] == hashlib.sha256(data).hexdigest() == result.sha256
    assert manifest["bytes"] == len(data)
    assert manifest["generated_at"] == "2024-05-01T06:30:00Z"
    assert manifest["destination"] == "mailchimp"
    assert manifest["segment"] == "vip_customers"
    assert manifest["schema_version"] == 2
    assert manifest["adds"] == 3 and manifest["removes"] == 0
    assert manifest["files"]["full"]["sha256"] == result.sha256
    assert manifest["files"]["adds"]["file"] == "audience_import.adds.csv"
    assert manifest["files"]["removes"]["rows"] == 0
    assert manifest["columns"] == MAILCHIMP_HEADERS
    assert manifest["file"] == "audience_import.csv"
    assert manifest["rows"] == 3
    assert manifest["refused"]["no_email_consent"] == 2
    assert manifest["refused_total"] == 7
    assert manifest["warnings"] == {"invalid_phone_blanked": 1}
    assert result.as_metadata()["path"] == str(result.path)


def test_output_is_utf8_lf_and_byte_stable(
    conn: duckdb.DuckDBPyConnection, vip: SegmentSpec, tmp_path: Path
) -> None:
    first = export_segment(conn, vip, "hubspot", tmp_path, GENERATED_AT)
    data = first.path.read_bytes()
    second = export_segment(conn, vip, "hubspot", tmp_path, GENERATED_AT)

    assert b"\r" not in data
    assert data.endswith(b"\n")
    data.decode("utf-8")
    assert second.sha256 == first.sha256
    # Order by person_id, whatever order the segment table holds.
    ids = [r["CDP Person ID"] for r in _read(first.path)]
    assert ids == sorted(ids)


def test_csv_quoting_round_trips_commas_and_quotes(
    conn: duckdb.DuckDBPyConnection, vip: SegmentSpec, tmp_path: Path
) -> None:
    result = export_segment(conn, vip, "mailchimp", tmp_path, GENERATED_AT)
    gus = next(r for r in _read(result.path) if r["Email Address"] == "gus@example.com")
    assert (gus["First Name"], gus["Last Name"]) == ("Gus, Jr.", 'O"Neil')
    assert gus["Phone Number"] == "+442071234567"
    assert '"O""Neil"' in result.path.read_text(encoding="utf-8")


# --- formula neutralisation ------------------------------------------------------------------


def test_formula_cells_are_neutralised_but_phones_stay_importable(
    conn: duckdb.DuckDBPyConnection, vip: SegmentSpec, tmp_path: Path
) -> None:
    mailchimp = export_segment(conn, vip, "mailchimp", tmp_path, GENERATED_AT)
    eve = next(r for r in _read(mailchimp.path) if r["Email Address"] == "eve@example.com")
    assert eve["First Name"] == '\'=HYPERLINK("http://x")'
    assert eve["Last Name"] == "'+SUM(1,2)"
    assert eve["Address"] == "'@home  -Town  CA  90001  US"
    assert eve["Phone Number"] == ""  # "=1+2" is not E.164: blanked, not quoted

    hubspot = export_segment(conn, vip, "hubspot", tmp_path, GENERATED_AT)
    eve_hs = next(r for r in _read(hubspot.path) if r["Email"] == "eve@example.com")
    assert eve_hs["City"] == "'-Town"
    assert eve_hs["Street Address"] == "'@home"
    ann_hs = next(r for r in _read(hubspot.path) if r["CDP Person ID"] == "p1")
    assert ann_hs["Phone Number"] == "+15551234567"  # E.164 keeps its "+", unquoted


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Ann", "Ann"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_neutralise(value: str, expected: str) -> None:
    assert neutralise(value) == expected


@pytest.mark.parametrize(
    ("value", "expected", "blanked"),
    [
        ("+15551234567", "+15551234567", 0),
        ("+442071234567", "+442071234567", 0),
        (None, "", 0),
        ("", "", 0),
        ("+1 555 123 4567", "", 1),
        ("=cmd|' /C calc'!A0", "", 1),
        ("+0123", "", 1),
        ("5551234567", "", 1),
    ],
)
def test_phone_is_strict_e164_or_blank(value: Any, expected: str, blanked: int) -> None:
    notes: Counter[str] = Counter()
    assert e164_or_blank(value, notes) == expected
    assert notes["invalid_phone_blanked"] == blanked


def test_mailchimp_tags_quote_a_tag_containing_a_comma() -> None:
    assert format_tags(["vip_customers"]) == "vip_customers"
    assert format_tags(["a", "b, c"]) == 'a,"b, c"'


# --- atomic write ----------------------------------------------------------------------------


def test_atomic_write_leaves_only_data_and_manifest(
    conn: duckdb.DuckDBPyConnection, vip: SegmentSpec, tmp_path: Path
) -> None:
    result = export_segment(conn, vip, "mailchimp", tmp_path, GENERATED_AT)
    assert sorted(p.name for p in result.path.parent.iterdir()) == [
        "audience_import.adds.csv",
        "audience_import.csv",
        "audience_import.removes.csv",
        "manifest.json",
    ]


def test_failed_export_keeps_previous_file_and_no_temp_file(
    conn: duckdb.DuckDBPyConnection,
    vip: SegmentSpec,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = export_segment(conn, vip, "mailchimp", tmp_path, GENERATED_AT)
    before = good.path.read_bytes()
    calls = {"n": 0}
    real = DESTINATIONS["mailchimp"].format_row

    def flaky(profile: Any, segment: SegmentSpec, notes: Counter[str]) -> dict[str, str]:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        return real(profile, segment, notes)

    broken = dataclasses.replace(DESTINATIONS["mailchimp"], format_row=flaky)
    monkeypatch.setitem(destinations_module.DESTINATIONS, "mailchimp", broken)

    conn.execute("update marts.profiles set first_name = 'Changed' where person_id = 'p1'")
    with pytest.raises(ExportError, match="person_id 'p5' could not be formatted.*disk on fire"):
        export_segment(conn, vip, "mailchimp", tmp_path, GENERATED_AT)

    assert good.path.read_bytes() == before
    assert sorted(p.name for p in good.path.parent.iterdir()) == [
        "audience_import.adds.csv",
        "audience_import.csv",
        "audience_import.removes.csv",
        "manifest.json",
    ]


# --- guard rails -----------------------------------------------------------------------------


def test_destination_not_declared_by_segment_is_refused(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    crm_only = SegmentSpec(
        name="crm_only",
        model_name="segment_vip_customers",
        relation="marts.segment_vip_customers",
        description="",
        channel="crm",
        destinations=("hubspot",),
        refresh="daily",
    )
    with pytest.raises(ExportError, match="does not list destination 'mailchimp'"):
        export_segment(conn, crm_only, "mailchimp", tmp_path, GENERATED_AT)
    assert not (tmp_path / "mailchimp").exists()


def test_naive_generated_at_is_rejected(
    conn: duckdb.DuckDBPyConnection, vip: SegmentSpec, tmp_path: Path
) -> None:
    with pytest.raises(ExportError, match="timezone-aware"):
        export_segment(conn, vip, "hubspot", tmp_path, datetime(2024, 5, 1))


def test_missing_segment_table_names_the_relation(
    conn: duckdb.DuckDBPyConnection, vip: SegmentSpec, tmp_path: Path
) -> None:
    missing = dataclasses.replace(vip, relation="marts.segment_not_built")
    with pytest.raises(ExportError, match="marts.segment_not_built"):
        export_segment(conn, missing, "hubspot", tmp_path, GENERATED_AT)


def test_duplicate_profile_rows_break_the_contract_loudly(
    conn: duckdb.DuckDBPyConnection, vip: SegmentSpec, tmp_path: Path
) -> None:
    conn.execute(
        "insert into marts.profiles (person_id, email, is_email_marketable) "
        "values ('p1', 'other@example.com', true)"
    )
    with pytest.raises(ExportError, match="more than one row for person_id 'p1'"):
        export_segment(conn, vip, "hubspot", tmp_path, GENERATED_AT)


def test_empty_segment_writes_header_only_file(
    conn: duckdb.DuckDBPyConnection, vip: SegmentSpec, tmp_path: Path
) -> None:
    conn.execute("delete from marts.segment_vip_customers")
    result = export_segment(conn, vip, "mailchimp", tmp_path, GENERATED_AT)
    assert result.rows == 0 and result.segment_size == 0 and result.refused == {}
    assert result.path.read_text(encoding="utf-8") == ",".join(MAILCHIMP_HEADERS) + "\n"


def test_export_reads_csv_with_stdlib_reader(
    conn: duckdb.DuckDBPyConnection, vip: SegmentSpec, tmp_path: Path
) -> None:
    result = export_segment(conn, vip, "hubspot", tmp_path, GENERATED_AT)
    rows = list(csv.reader(io.StringIO(result.path.read_text(encoding="utf-8"))))
    assert all(len(row) == len(HUBSPOT_HEADERS) for row in rows)
    assert len(rows) == result.rows + 1
