"""Probabilistic links on demo shoppers that only name, address and birthday tie together
(`cdp demo-data --fuzzy`): they join the right people inside the guards, merges keep the older
id and say they were probabilistic, reruns keep every id, and `cdp explain` shows why."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from cdp.cli.explain import _print_probabilistic, explain_person
from cdp.demo_data.evaluation import evaluate_identity
from cdp.matching.model import DEFAULT_MODEL_PATH
from cdp.matching.scoring import score_records
from ingestion.loader import load_source
from ingestion.phone_lookup import refresh_lookup
from ingestion.sources import SOURCES
from tests.conftest import AS_OF, CdpEnv

REPO = Path(__file__).resolve().parents[2]
IDENTITY_MODELS = (
    "+identity_merges", "+person_identifiers", "+identity_probabilistic_links",
    "+identity_refused_links",
    "identity_person_registry", "int_person_identifiers",
)  # fmt: skip
NO_PROBABILISTIC_LINKS = "{identity_probabilistic_threshold: 1.01}"


class IdentityStage:
    """The identity stage as the pipeline runs it — dbt up to the candidate records, the
    matcher, dbt for the rest — on a private copy of the dbt project."""

    def __init__(self, env: CdpEnv, root: Path) -> None:
        self.env = env
        self.project = root / "dbt_project"
        shutil.copytree(
            REPO / "dbt_project", self.project, ignore=shutil.ignore_patterns("target", "logs")
        )
        env.warehouse.parent.mkdir(parents=True, exist_ok=True)
        conn = duckdb.connect(str(env.warehouse))
        for spec in SOURCES.values():
            load_source(conn, spec, env.landing)
        refresh_lookup(conn, "US")
        conn.close()

    def _dbt(self, *args: str) -> None:
        result = subprocess.run(
            [str(Path(sys.executable).with_name("dbt")), "build", *args,
             "--indirect-selection", "cautious", "--exclude-resource-type", "unit_test",
             "--project-dir", str(self.project), "--profiles-dir", str(self.project)],
            env={**os.environ, "CDP_WAREHOUSE": str(self.env.warehouse)},
            capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout[-5000:]

    def build(self, vars_: str = "{}") -> None:
        self._dbt("--select", "+int_identity_candidate_records", "--vars", vars_)
        conn = duckdb.connect(str(self.env.warehouse))
        try:
            score_records(conn, DEFAULT_MODEL_PATH)
        finally:
            conn.close()
        self._dbt("--select", *IDENTITY_MODELS, "--vars", vars_)

    def query(self, sql: str) -> list[tuple]:
        conn = duckdb.connect(str(self.env.warehouse), read_only=True)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def people(self) -> dict[tuple[str, str], str]:
        rows = self.query(
            "select identifier_type, identifier_value, person_id from marts.person_identifiers"
        )
        return {(kind, value): person for kind, value, person in rows}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Exact links only; then with probabilistic links; then the same again."""
    root = tmp_path_factory.mktemp("probabilistic")
    env = CdpEnv(root)
    env.cdp(
        "demo-data", "--people", "300", "--seed", "5", "--as-of", AS_OF, "--hard-cases", "--fuzzy"
    )
    stage = IdentityStage(env, root)
    stage.build(NO_PROBABILISTIC_LINKS)
    exact = stage.people()
    stage.build()
    linked = stage.people()
    conn = duckdb.connect(str(env.warehouse))
    accuracy = evaluate_identity(conn, env.truth)
    conn.close()
    merges = stage.query(
        "select old_person_id, new_person_id, match_type from marts.identity_merges "
        "where event_type = 'merge'"
    )
    decisions = dict(
        stage.query("select decision, count(*) from marts.identity_probabilistic_links group by 1")
    )
    stage.build()
    return {
        "stage": stage,
        "exact": exact,
        "linked": linked,
        "rerun": stage.people(),
        "accuracy": accuracy,
        "merges": merges,
        "decisions": decisions,
        "events_after_rerun": stage.query("select count(*) from marts.identity_merges")[0][0],
    }


def test_probabilistic_links_join_people_exact_identifiers_cannot(runs) -> None:
    exact, linked = runs["exact"], runs["linked"]
    assert runs["decisions"].get("link", 0) >= 10
    assert len(set(linked.values())) < len(set(exact.values()))
    # Every true person the links joined was really one person: precision stays high.
    assert runs["accuracy"].precision >= 0.995
    assert runs["accuracy"].recall > 0


def test_merges_keep_the_older_id_and_say_they_were_probabilistic(runs) -> None:
    exact, linked, merges = runs["exact"], runs["linked"], runs["merges"]
    probabilistic = [(old, new) for old, new, kind in merges if kind == "probabilistic"]
    assert probabilistic
    earlier_ids = set(exact.values())
    for old, new in probabilistic:
        # Both were people before; the survivor is one of them and holds the old one's ids.
        assert old in earlier_ids and new in earlier_ids
        absorbed = [key for key, person in exact.items() if person == old]
        assert absorbed and all(linked[key] == new for key in absorbed)


def test_rerun_with_probabilistic_links_keeps_every_id(runs) -> None:
    assert runs["rerun"] == runs["linked"]
    assert runs["events_after_rerun"] == len(runs["merges"])


def test_explain_shows_comparison_levels_and_weights(runs) -> None:
    stage = runs["stage"]
    [(person_id,)] = stage.query(
        "select person_id_l from marts.identity_probabilistic_links "
        "where decision = 'link' order by match_probability desc, record_key_l limit 1"
    )
    conn = duckdb.connect(str(stage.env.warehouse), read_only=True)
    facts = explain_person(conn, person_id)
    conn.close()
    links = [row for row in facts["probabilistic"] if row[4] == "link"]
    assert links
    buffer = io.StringIO()
    _print_probabilistic(links, Console(file=buffer, width=200))
    text = buffer.getvalue()
    assert "→ link" in text
    for comparison in ("first_name:", "last_name:", "postcode:", "street_name:"):
        assert comparison in text
    # Each comparison's weight in bits, signed.
    assert any(line.strip().startswith("+") for line in text.splitlines())
