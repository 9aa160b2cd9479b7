"""Which columns hold personal identifiers is declared in the dbt project, and erasure reads it.

Every documented column whose name looks like an email or phone (`email`, `customer_email`,
`phone_number`...) must carry `meta: {identifier_type: ...}` (`none` when it is not one), so a new
model cannot hold a person's email that `cdp forget` would miss. Built columns nobody documented
are caught on a real warehouse (tests/e2e/test_forget.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cdp.privacy.identifier_columns import (
    LOOKS_LIKE_IDENTIFIER,
    declared_types,
    identifier_columns,
    read_manifest,
)
from cdp.privacy.identifiers import identifier_key


@pytest.fixture(scope="module")
def manifest(dbt_manifest: Path) -> dict:
    return read_manifest(dbt_manifest)


def test_every_identifier_looking_column_declares_its_identifier_type(manifest: dict) -> None:
    resources = [*manifest["nodes"].values(), *manifest["sources"].values()]
    undeclared = sorted(
        f"{resource['unique_id']}.{name}"
        for resource in resources
        if resource["resource_type"] in ("model", "snapshot", "seed", "source")
        for name, column in resource.get("columns", {}).items()
        if LOOKS_LIKE_IDENTIFIER.search(name) and declared_types(column) is None
    )
    assert not undeclared, (
        "add `config: {meta: {identifier_type: <type>}}` (or `none`) to: " + ", ".join(undeclared)
    )


def test_erasure_reads_the_raw_identifier_columns_from_the_sources(manifest: dict) -> None:
    columns = identifier_columns(manifest)
    assert columns.raw_types("shopify_orders")["phone"] == (
        "phone",
        "customer__phone",
        "billing_address__phone",
        "shipping_address__phone",
    )
    assert set(columns.raw_types("shopify_web_events")) >= {"email", "tracker_user_id"}
    assert "user_id" in columns.raw_types("shopify_web_events")["tracker_user_id"]
    assert columns.built_columns("marts", "crm_contacts", "email") == ("email",)


def test_declared_types_reads_a_type_a_list_and_none() -> None:
    assert declared_types({"config": {"meta": {"identifier_type": "email"}}}) == ("email",)
    assert declared_types({"meta": {"identifier_type": ["email", "tracker_user_id"]}}) == (
        "email",
        "tracker_user_id",
    )
    assert declared_types({"config": {"meta": {"identifier_type": "none"}}}) == ()
    assert declared_types({"config": {"meta": {}}}) is None


def test_identifier_key_is_type_colon_value() -> None:
    assert identifier_key("phone", "+12125550100") == "phone:+12125550100"
