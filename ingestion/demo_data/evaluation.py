"""How well identity resolution matched the demo data's ground truth.

Pairwise precision and recall over identifiers: every pair of identifiers that the truth puts
in one person and the warehouse puts in one person is a true positive. Identifiers that the
truth gives to several people (a family phone) or to nobody (a shop counter phone) have no
single right answer and are left out of the pairs, but the merges they cause still show up
as false pairs between the people's other identifiers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class IdentityAccuracy:
    identifiers_evaluated: int
    identifiers_shared_or_unowned: int
    identifiers_missing: int
    true_people: int
    predicted_people: int
    precision: float
    recall: float
    f1: float
    true_people_split: int
    predicted_people_merged: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def evaluate_identity(conn: duckdb.DuckDBPyConnection, truth_dir: Path) -> IdentityAccuracy:
    """Compares `marts.person_identifiers` with `<truth_dir>/identifiers.csv`."""
    truth_file = str(truth_dir / "identifiers.csv").replace("'", "''")
    conn.execute(
        f"""
        create or replace temp table _truth as
        select identifier_type, identifier_value,
               min(true_person_id) as true_person_id,
               count(distinct coalesce(true_person_id, '')) as owners,
               bool_or(true_person_id is null or true_person_id = '') as has_unowned
        from read_csv('{truth_file}', all_varchar = true)
        group by identifier_type, identifier_value
        """
    )
    conn.execute(
        """
        create or replace temp table _pairs as
        select
            t.identifier_type, t.identifier_value, t.true_person_id,
            -- an identifier the warehouse does not know is a person of its own
            coalesce(p.person_id, 'missing:' || t.identifier_type || ':' || t.identifier_value)
                as person_id,
            p.person_id is null as is_missing
        from _truth as t
        left join marts.person_identifiers as p
            on t.identifier_type = p.identifier_type and t.identifier_value = p.identifier_value
        where t.owners = 1 and not t.has_unowned
        """
    )
    row = conn.execute(
        """
        with cells as (
            select true_person_id, person_id, count(*) as n from _pairs group by all
        ),
        by_truth as (select true_person_id, sum(n) as n from cells group by all),
        by_prediction as (select person_id, sum(n) as n from cells group by all)
        select
            (select count(*) from _pairs),
            (select count(*) from _truth where owners > 1 or has_unowned),
            (select count(*) from _pairs where is_missing),
            (select count(*) from by_truth),
            (select count(*) from by_prediction),
            (select coalesce(sum(n * (n - 1) / 2), 0) from cells),
            (select coalesce(sum(n * (n - 1) / 2), 0) from by_prediction),
            (select coalesce(sum(n * (n - 1) / 2), 0) from by_truth),
            (select count(*) from (select true_person_id from cells group by all
                                   having count(*) > 1)),
            (select count(*) from (select person_id from cells group by all having count(*) > 1))
        """
    ).fetchone()
    evaluated, shared, missing, true_people, predicted_people = row[:5]
    true_positive, predicted_pairs, true_pairs, split, merged = row[5:]
    precision = float(true_positive / predicted_pairs) if predicted_pairs else 1.0
    recall = float(true_positive / true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return IdentityAccuracy(
        identifiers_evaluated=evaluated,
        identifiers_shared_or_unowned=shared,
        identifiers_missing=missing,
        true_people=true_people,
        predicted_people=predicted_people,
        precision=round(precision, 5),
        recall=round(recall, 5),
        f1=round(f1, 5),
        true_people_split=split,
        predicted_people_merged=merged,
    )
