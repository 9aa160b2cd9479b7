"""A landing folder that mixes the tools' documented export variants, end to end.

`cdp demo-data --variants` rewrites part of the demo exports the way other tool versions and
trackers write them (older Square directory with `Email Unsubscribed`, statuses in any case,
GraphQL bulk orders, Segment and RudderStack calls, Mailchimp merge tags and current file names,
a download-named Square file) with the identifier messes of real folders (tabs, no-break and
zero-width spaces, `mailto:`, `Name <address>`, `tel:`). The run must go through as with the
ordinary exports: exit 0, the same people, the same orders, consent read from every shape.
"""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from cdp.demo_data.evaluation import evaluate_identity
from tests.conftest import AS_OF, CdpEnv, query

PEOPLE = 400


@pytest.fixture(scope="module")
def variant_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[CdpEnv, str]:
    env = CdpEnv(tmp_path_factory.mktemp("variants"))
    env.cdp("demo-data", "--people", str(PEOPLE), "--seed", "21", "--as-of", AS_OF, "--variants")
    result = env.cdp("run", "--as-of", AS_OF, check=False)
    assert result.returncode == 0, (
        f"cdp run exited {result.returncode}\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    )
    return env, result.stdout


def test_the_folder_really_mixes_the_variants(variant_run) -> None:
    env, _ = variant_run
    names = {p.relative_to(env.landing).as_posix() for p in env.landing.rglob("*") if p.is_file()}
    assert any(n.startswith("shopify/segment_events_") for n in names)
    assert any(n.startswith("shopify/rudder_events_") for n in names)
    assert any(n.endswith("_bulk.jsonl") for n in names)
    assert any(n.startswith("square/item-sales-detail-") for n in names)
    assert any("_email_audience_export_" in n for n in names)
    old_square = (env.landing / "square" / "customers-2024-12-31.csv").read_text()
    assert "Email Unsubscribed" in old_square.splitlines()[0]


def test_every_file_loads_nothing_is_rejected(variant_run) -> None:
    env, _ = variant_run
    statuses = query(
        env, "select status, count(*) from meta.ingested_files group by status order by 1"
    )
    assert dict(statuses).get("rejected", 0) == 0, statuses
    square_items = query(
        env,
        "select message from meta.ingested_files where file_path like 'square/item-sales-detail-%'",
    )
    assert square_items and "recognised by its header" in square_items[0][0]


def test_identity_is_as_good_as_on_ordinary_exports(variant_run) -> None:
    env, _ = variant_run
    conn = duckdb.connect(str(env.warehouse))
    try:
        accuracy = evaluate_identity(conn, env.truth)
    finally:
        conn.close()
    assert accuracy.precision >= 0.995, accuracy
    assert accuracy.attainable_recall >= 0.98, accuracy


def test_orders_from_rest_pages_and_graphql_bulk_both_count(variant_run) -> None:
    env, _ = variant_run
    shopify = env.landing / "shopify"
    rest = sum(len(json.loads(p.read_text())["orders"]) for p in shopify.glob("orders_*.json"))
    bulk = sum(
        1
        for p in shopify.glob("*_bulk.jsonl")
        for line in p.read_text().splitlines()
        if line.strip() and '"__parentId"' not in line
    )
    assert rest and bulk
    [(orders, with_gid)] = query(
        env,
        "select count(*), count(*) filter (where source_record_id like 'gid:%') "
        "from marts.orders where source_table = 'shopify_orders'",
    )
    assert orders == rest + bulk
    assert with_gid == 0


def _square_rows(env: CdpEnv) -> list[dict[str, str]]:
    rows = []
    for path in sorted((env.landing / "square").glob("customers-*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def test_square_consent_is_read_from_every_shape_and_unknown_is_never_consent(
    variant_run,
) -> None:
    env, _ = variant_run
    rows = [r for r in _square_rows(env) if r["Email Address"].strip()]
    opt_outs = sum(
        (r.get("Email Subscription Status") or "").strip().lower() == "unsubscribed"
        or (r.get("Email Unsubscribed") or "").strip() == "True"
        for r in rows
    )
    unknown = [r for r in rows if (r.get("Email Subscription Status") or "").strip() == "Unknown"]
    assert opt_outs, "the variant folder should hold Square opt-outs in both shapes"
    events = dict(
        query(
            env,
            "select action, count(*) from intermediate.int_consent_events "
            "where source_table = 'square_customers' and channel = 'email' group by 1",
        )
    )
    assert events.get("opt_out", 0) == opt_outs
    unknown_ids = {r["Square Customer ID"].strip() for r in unknown}
    if unknown_ids:
        marks = ", ".join(f"'{i}'" for i in unknown_ids)
        assert not query(
            env,
            "select 1 from intermediate.int_consent_events "
            f"where source_table = 'square_customers' and source_record_id in ({marks})",
        )


def test_nobody_unconsented_in_a_marketing_file(variant_run) -> None:
    env, _ = variant_run
    marketable = {
        email
        for (email,) in query(
            env, "select email from marts.profiles where is_email_marketable and email is not null"
        )
    }
    files = list((env.exports / "mailchimp").glob("*/*.csv"))
    assert files
    for path in files:
        if "removes" in path.name:
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                assert row["Email Address"] in marketable, (path.name, row["Email Address"])


def test_messy_identifiers_normalise_to_the_same_people(variant_run) -> None:
    env, _ = variant_run
    messy = (
        "(raw_value like '%' || chr(9) || '%' or raw_value like '%' || chr(160) || '%' "
        "or raw_value like '%' || chr(8203) || '%' or lower(raw_value) like 'mailto:%' "
        "or raw_value like '%<%>%' or raw_value like '\"%\"' or lower(raw_value) like 'tel:%')"
    )
    [(seen,)] = query(
        env,
        "select count(*) from intermediate.int_identifier_observations "
        f"where identifier_type in ('email', 'phone') and {messy}",
    )
    assert seen > 10, "the variant folder should carry messy emails and phones"
    refused = query(
        env,
        "select identifier_type, raw_value, invalid_reason "
        "from intermediate.int_identifiers_normalised "
        f"where identifier_type in ('email', 'phone') and not is_valid and {messy}",
    )
    assert refused == [], refused[:10]


def test_summary_names_the_variants(variant_run) -> None:
    _, stdout = variant_run
    assert "people resolved" in stdout
    assert "recognised by its header" in stdout
