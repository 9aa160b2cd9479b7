"""Profiles, CRM marts, segments and predictive traits on generated data, end to end.

Two runs of `cdp run` on the same demo exports: one at AS_OF (the session's shared demo run,
tests/e2e/conftest.py), one two days later with --full-refresh. The checks recompute the
documented rules from the warehouse's own inputs.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from cdp.predictive.scoring import PROFILE_TRAITS
from cdp.predictive.summary import summarise_purchases
from tests.conftest import AS_OF, CdpEnv, query
from tests.e2e.conftest import DemoRuns, copy_env, webhook_receiver

REPO = Path(__file__).resolve().parents[2]
LATER = (datetime.fromisoformat(AS_OF) + timedelta(days=2)).isoformat()
VARS = yaml.safe_load((REPO / "dbt_project" / "dbt_project.yml").read_text())["vars"]
SEGMENTS = {
    "abandoned_checkout",
    "inactive_90_days",
    "vip_customers",
    "high_churn_risk",
    "subscribers_never_bought",
    "in_store_only_shoppers",
}


@dataclass(frozen=True)
class Runs:
    env: CdpEnv
    first_abandoned: frozenset[str]
    """Members of the abandoned-checkout segment after the first run."""


@pytest.fixture(scope="module")
def runs(demo_runs: DemoRuns, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    # The first run is the session's shared demo run (tests/e2e/conftest.py): the second goes
    # on from a copy of the folder it left, instead of running it again. Every destination
    # stays on as it was in the first run (a webhook without its receiver would fail its checks).
    env = copy_env(demo_runs.after_first_run, tmp_path_factory.mktemp("profiles"))
    abandoned = query(env, "select person_id from marts.segment_abandoned_checkout")
    with webhook_receiver():
        env.cdp("run", "--as-of", LATER, "--full-refresh")
    return Runs(env, frozenset(r[0] for r in abandoned))


@pytest.fixture(scope="module")
def env(runs: Runs) -> CdpEnv:
    return runs.env


def frame(env: CdpEnv, sql: str) -> pd.DataFrame:
    conn = duckdb.connect(str(env.warehouse), read_only=True)
    try:
        return conn.execute(sql).df()
    finally:
        conn.close()


def test_lifecycle_stages_follow_the_documented_thresholds(env: CdpEnv) -> None:
    profiles = frame(env, "select * from marts.profiles")

    def stage(p: pd.Series) -> str:
        if p.total_orders > 0 and p.days_since_last_purchase > VARS["lifecycle_churned_after_days"]:
            return "churned"
        if p.total_orders > 0 and p.days_since_last_purchase > VARS["lifecycle_at_risk_after_days"]:
            return "at_risk"
        if (
            p.total_revenue >= VARS["lifecycle_vip_min_revenue"]
            or p.total_orders >= VARS["lifecycle_vip_min_orders"]
        ):
            return "vip"
        if p.total_orders >= 2:
            return "repeat_customer"
        if p.total_orders == 1:
            return "first_time_customer"
        if p.email_consent_status == "subscribed":
            return "subscriber"
        return "lead" if p.is_known else "anonymous"

    expected = profiles.apply(stage, axis=1)
    assert (expected == profiles.lifecycle_stage).all()
    assert {"churned", "at_risk", "repeat_customer", "first_time_customer", "subscriber"} <= set(
        profiles.lifecycle_stage
    )


def test_consent_is_the_latest_dated_action_and_bounced_addresses_are_never_mailable(
    env: CdpEnv,
) -> None:
    events = frame(
        env,
        "select person_id, action, occurred_at from intermediate.int_consent_events "
        "where channel = 'email' and action in ('opt_in', 'opt_out') and occurred_at is not null",
    )
    latest = events.sort_values(
        ["person_id", "occurred_at", "action"], ascending=[True, False, False]
    ).drop_duplicates("person_id")  # 'opt_out' > 'opt_in': opt-out first on a tie
    expected = latest.set_index("person_id").action.map(
        {"opt_in": "subscribed", "opt_out": "unsubscribed"}
    )
    profiles = frame(env, "select * from marts.profiles").set_index("person_id")
    got = profiles.email_consent_status
    assert (got.reindex(expected.index) == expected).all()
    assert (got.drop(expected.index) == "unknown").all()
    bounced = {
        r[0]
        for r in query(
            env,
            "select distinct email from intermediate.int_consent_events "
            "where action = 'hard_bounce'",
        )
    }
    assert bounced, "the demo data has cleaned members"
    marketable = profiles[profiles.is_email_marketable]
    assert not set(marketable.email) & bounced
    assert (marketable.email_consent_status == "subscribed").all()


def test_survivorship_records_a_winning_source_for_every_field(env: CdpEnv) -> None:
    profiles = frame(env, "select * from marts.profiles where is_known")
    for field, source in (
        ("email", "email_source"),
        ("phone", "phone_source"),
        ("first_name", "first_name_source"),
        ("address_line_1", "address_source"),
    ):
        assert (profiles[field].notna() == profiles[source].notna()).all(), field
        assert set(profiles[source].dropna()) <= set(VARS["survivorship_source_priority"])


def test_dbt_purchase_summary_matches_the_python_twin(env: CdpEnv) -> None:
    orders = frame(
        env,
        "select person_id, ordered_at, cast(net_revenue_amount as double) as net_revenue_amount "
        "from marts.orders where person_id is not null and not is_cancelled",
    )
    twin = summarise_purchases(orders, datetime.fromisoformat(LATER)).set_index("person_id")
    dbt = frame(env, "select * from intermediate.int_purchase_summary").set_index("person_id")
    assert set(twin.index) == set(dbt.index)
    for column in ("frequency", "recency_weeks", "t_weeks"):
        assert (twin[column] - dbt.loc[twin.index, column].astype(float)).abs().max() < 1e-9, column


def test_predictions_cover_every_customer_and_reach_the_crm(env: CdpEnv) -> None:
    [(customers, predicted, valid, fits)] = query(
        env,
        """
        select
            (select count(*) from intermediate.int_purchase_summary),
            count(*),
            count(*) filter (where probability_alive between 0 and 1
                and expected_purchases_365d >= expected_purchases_90d
                and churn_risk_score between 0 and 100),
            (select count(*) from predictive.model_fits)
        from predictive.customer_predictions
        """,
    )
    assert customers == predicted == valid > 100
    assert fits == 2  # one fit per run
    [(missing,)] = query(
        env,
        "select count(*) from marts.crm_contacts "
        "where total_orders > 0 and probability_alive is null",
    )
    assert missing == 0


def test_profiles_carry_the_predictive_traits_of_customers_only(env: CdpEnv) -> None:
    profiles = frame(
        env, f"select person_id, is_customer, {', '.join(PROFILE_TRAITS)} from marts.profiles"
    )
    customers, others = profiles[profiles.is_customer], profiles[~profiles.is_customer]
    assert len(customers) > 100 and len(others) > 0
    assert customers[list(PROFILE_TRAITS)].notna().all().all()
    assert others[list(PROFILE_TRAITS)].isna().all().all()
    # The same values as the predictions written by the fit and as the CRM contacts (which
    # carry the 365-day expectations only).
    crm_traits = [trait for trait in PROFILE_TRAITS if not trait.endswith("_90d")]
    predictions = frame(
        env, f"select person_id, {', '.join(crm_traits)} from marts.crm_contacts"
    ).merge(
        frame(
            env,
            "select person_id, probability_alive as fitted_probability_alive "
            "from predictive.customer_predictions",
        ),
        on="person_id",
        how="left",
    )
    joined = customers.merge(predictions, on="person_id", suffixes=("", "_crm"))
    assert len(joined) > 100
    for trait in crm_traits:
        assert (joined[trait] == joined[f"{trait}_crm"]).all(), trait
    assert ((joined.probability_alive - joined.fitted_probability_alive).abs() < 1e-6).all()


def test_segment_history_records_exits_and_survives_a_full_refresh(runs: Runs) -> None:
    env = runs.env
    history = frame(env, "select * from marts.segment_memberships")
    assert SEGMENTS - {"high_churn_risk"} <= set(history.segment_name)
    as_of, later = pd.Timestamp(AS_OF), pd.Timestamp(LATER)
    # First-run memberships survived the --full-refresh of the second run.
    assert (history.entered_at == as_of).sum() > 0
    # The abandoned checkouts of the first run are more than 24 hours old two days later.
    abandoned = history[history.segment_name == "abandoned_checkout"]
    assert runs.first_abandoned, "the demo data plans recent abandoned checkouts"
    left = abandoned[abandoned.person_id.isin(runs.first_abandoned)]
    assert (left.exited_at == later).all() and len(left) == len(runs.first_abandoned)
    # Current members are exactly the segment tables' rows.
    for segment in SEGMENTS:
        current = set(history[(history.segment_name == segment) & history.is_current].person_id)
        members = {r[0] for r in query(env, f"select person_id from marts.segment_{segment}")}
        assert current == members, segment


def test_cdp_segments_lists_every_segment_with_its_size(env: CdpEnv) -> None:
    out = env.cdp("segments").stdout
    for segment in SEGMENTS:
        assert segment in out
    [(vip,)] = query(env, "select count(*) from marts.segment_vip_customers")
    assert str(vip) in out


def test_crm_activity_timeline_is_ordered_per_person(env: CdpEnv) -> None:
    [(people, bad)] = query(
        env,
        """
        select count(distinct person_id),
               count(*) filter (where activity_sequence <> expected)
        from (
            select person_id, activity_sequence,
                   row_number() over (partition by person_id order by activity_sequence) as expected
            from marts.crm_activities
        )
        """,
    )
    assert people > 0 and bad == 0


def test_every_mart_column_is_documented_in_the_dbt_catalog(env: CdpEnv, tmp_path: Path) -> None:
    """`dbt docs generate` against the built warehouse: every column the catalog finds in our
    marts has a description in the manifest."""
    target = tmp_path / "target"
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "docs",
            "generate",
            "--project-dir",
            str(REPO / "dbt_project"),
            "--profiles-dir",
            str(REPO / "dbt_project"),
            "--target-path",
            str(target),
            "--vars",
            f"{{as_of: '{LATER}'}}",
        ],
        env=env.environ(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    import json

    catalog = json.loads((target / "catalog.json").read_text())["nodes"]
    manifest = json.loads((target / "manifest.json").read_text())["nodes"]
    ours = {
        "profiles",
        "orders",
        "crm_contacts",
        "crm_activities",
        "crm_contact_merges",
        "segment_memberships",
    } | {f"segment_{s}" for s in SEGMENTS}
    undocumented = []
    for unique_id, node in catalog.items():
        name = unique_id.split(".")[-1]
        if name not in ours:
            continue
        described = {
            column.lower()
            for column, spec in manifest[unique_id]["columns"].items()
            if spec.get("description")
        }
        undocumented += [f"{name}.{c}" for c in node["columns"] if c.lower() not in described]
    assert not undocumented, undocumented
    assert ours <= {uid.split(".")[-1] for uid in catalog}
