"""How well identity resolution matched the demo data's ground truth.

Pairwise precision and recall over identifiers: every pair of identifiers that the truth puts
in one person and the warehouse puts in one person is a true positive. Identifiers that the
truth gives to several people (a family phone) or to nobody (a shop counter phone) have no
single right answer and are left out of the pairs, but the merges they cause still show up
as false pairs between the people's other identifiers.

Attainable recall judges against the pairs the data can prove. Fuzzy people (`cdp demo-data
--fuzzy`, tag `fuzzy` in people.csv) count as provable across their name-and-address records:
their Square profile, Shopify customer and orders and Mailchimp member share no email or phone,
but carry their own first name (or a nickname or typo of it), their last name, street address,
postcode and, where the tool has one, birthday, which probabilistic matching can link and which
tell them apart from the relatives at the same address. `exact_attainable_recall` keeps the
figure for identifiers alone (what exact matching can reach at best); without fuzzy people the
two are the same.
"""

from __future__ import annotations

import csv
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
    attainable_recall: float
    """Recall against the pairs the data can prove at all: two identifiers of one true person
    count only if records of that person chain them together, through shared identifiers or,
    for a fuzzy person, through name, address and birthday (a browser that never logged in or
    clicked a tracked link cannot be linked by any method)."""
    exact_attainable_recall: float
    """The same true pairs found against the pairs shared identifiers alone can prove (fuzzy
    people's name-and-address links left out): the attainable recall as measured before fuzzy
    people existed. Above 1 when a resolver links pairs that no shared identifier proves."""

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def evaluate_identity(
    conn: duckdb.DuckDBPyConnection,
    truth_dir: Path,
    predictions: str = "marts.person_identifiers",
) -> IdentityAccuracy:
    """Compares `predictions` (a relation with identifier_type, identifier_value, person_id:
    `marts.person_identifiers` unless another partition is being judged) with
    `<truth_dir>/identifiers.csv`; fuzzy people are read from `<truth_dir>/people.csv` when it
    exists."""
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
        f"""
        create or replace temp table _pairs as
        select
            t.identifier_type, t.identifier_value, t.true_person_id,
            -- an identifier the warehouse does not know is a person of its own
            coalesce(p.person_id, 'missing:' || t.identifier_type || ':' || t.identifier_value)
                as person_id,
            p.person_id is null as is_missing
        from _truth as t
        left join {predictions} as p
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
    _load_fuzzy_people(conn, truth_dir / "people.csv")
    attainable_pairs, exact_pairs = _attainable_pairs(conn)
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
        attainable_recall=_share(true_positive, attainable_pairs),
        exact_attainable_recall=_share(true_positive, exact_pairs),
    )


def _share(part: int, whole: int) -> float:
    return round(float(part / whole), 5) if whole else 1.0


NAME_AND_ADDRESS_TABLES = (
    "mailchimp_members",
    "shopify_customers",
    "shopify_orders",
    "square_customers",
)
"""Records that carry a person's name and postal address: a fuzzy person's are linkable."""


def _load_fuzzy_people(conn: duckdb.DuckDBPyConnection, people_file: Path) -> None:
    """The true people tagged `fuzzy` (none for a truth without a tagged people.csv)."""
    conn.execute("create or replace temp table _fuzzy_people (true_person_id varchar)")
    if not people_file.exists():
        return
    with people_file.open(encoding="utf-8", newline="") as fh:
        if not {"true_person_id", "tags"} <= set(next(csv.reader(fh), [])):
            return
    path = str(people_file).replace("'", "''")
    conn.execute(
        f"""
        insert into _fuzzy_people
        select true_person_id from read_csv('{path}', all_varchar = true)
        where list_contains(string_split(coalesce(tags, ''), ';'), 'fuzzy')
        """
    )


def _attainable_pairs(conn: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Pairs of one true person's identifiers that its own records connect (an oracle that
    knows who is who, but may only use links present in the data). Returns the pairs when a
    fuzzy person's name-and-address records count as linked, and the pairs shared identifiers
    alone connect."""
    tables = ", ".join(f"'{table}'" for table in NAME_AND_ADDRESS_TABLES)
    rows = conn.execute(
        f"""
        with observed as (
            select distinct n.source_table, n.source_record_id, p.true_person_id,
                   p.identifier_type || ':' || p.identifier_value as node_key
            from intermediate.int_identifiers_normalised as n
            inner join _pairs as p
                on n.identifier_type = p.identifier_type
                and n.identifier_value = p.identifier_value
            where n.is_valid
        ),
        numbered as (
            select *, dense_rank() over (order by node_key) - 1 as node_index from observed
        ),
        flagged as (
            select *,
                source_table in ({tables})
                and true_person_id in (select true_person_id from _fuzzy_people) as by_name
            from numbered
        ),
        anchored as (
            select *, min(node_index) over (
                partition by source_table, source_record_id, true_person_id) as anchor
            from flagged
        )
        select distinct
            anchor,
            -- a fuzzy person's name-and-address records all hang on one anchor
            case when by_name
                then min(node_index) over (partition by true_person_id, by_name)
                else anchor
            end as name_anchor,
            node_index
        from anchored
        """
    ).fetchall()
    if not rows:
        return 0, 0
    nodes = [r[2] for r in rows]
    linked = _pairs_connected([r[1] for r in rows], nodes)
    exact = _pairs_connected([r[0] for r in rows], nodes)
    return linked, exact


def _pairs_connected(anchor_list: list[int], node_list: list[int]) -> int:
    """Pairs of nodes in one connected component of the graph of (anchor, node) edges."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    anchors, nodes = np.array(anchor_list), np.array(node_list)
    size = int(max(anchors.max(), nodes.max())) + 1
    graph = coo_matrix((np.ones(len(nodes)), (anchors, nodes)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    sizes: dict[int, int] = {}
    for node in set(int(n) for n in nodes):
        sizes[labels[node]] = sizes.get(labels[node], 0) + 1
    return sum(n * (n - 1) // 2 for n in sizes.values())
