"""The name-conflict guard on customer files with first-name typos (FEBRL-derived fixture).

`tests/fixtures/febrl_typos/` holds Shopify, Square and Mailchimp customer exports built from
FEBRL1 people (benchmarks/identity_typos.py --write-fixture; README there): people whose
duplicates misspell their first name (`Lucas` / `Lucad`, `Connor` / `Cnono R`), people whose
records agree, and two family phones shared by people with different first names. Through the
real `cdp run`: no phone of one person is refused because of a typo, both family phones are
refused, and the result is at least as good as exact matching.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from cdp.demo_data.evaluation import evaluate_identity
from tests.conftest import AS_OF, CdpEnv

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "febrl_typos"

pytestmark = pytest.mark.e2e


def test_typos_link_and_family_phones_do_not(
    cdp_env: CdpEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = json.loads((FIXTURE / "expected.json").read_text())
    shutil.copytree(FIXTURE / "landing", cdp_env.landing)
    monkeypatch.setenv("CDP_DEFAULT_PHONE_REGION", "AU")  # FEBRL people are Australian
    cdp_env.cdp("run", "--as-of", AS_OF)

    conn = duckdb.connect(str(cdp_env.warehouse), read_only=True)
    try:
        refused = {
            (kind, value): (reason, details)
            for kind, value, reason, details in conn.execute(
                "select identifier_type, identifier_value, reason, details "
                "from marts.identity_refused_links"
            ).fetchall()
        }
        family = {case["phone"] for case in expected["family_phones"]}
        assert len(family) == 2
        for phone in family:
            assert refused.get(("phone", phone), ("",))[0] == "records name different people"
        wrongly_refused = {key: why for key, why in refused.items() if key[1] not in family}
        assert wrongly_refused == {}

        # The typos really are on shared phones: the guard had something to judge.
        typo_phones = conn.execute(
            """
            select identifier_value from intermediate.int_identifiers_normalised
            where identifier_type = 'phone' and is_valid
            group by identifier_value having count(distinct record_first_name) > 1
            """
        ).fetchall()
        assert len(typo_phones) >= 8

        accuracy = evaluate_identity(conn, FIXTURE / "truth")
        assert accuracy.precision == 1.0
        # Only people of a family phone may be split: a refused phone that was their only
        # link between two records leaves those records apart.
        assert accuracy.true_people_split <= 2 * len(family), accuracy
    finally:
        conn.close()
