"""`cdp explain`: why a person is who they are — identifiers, the records that linked them,
the probabilistic matches with their comparison levels and weights, the links that guards
refused, and the person's merges and splits."""

from __future__ import annotations

import duckdb
from rich.console import Console
from rich.table import Table

from cdp.cli.lookup import find_person_id
from cdp.core.settings import Settings
from cdp.core.warehouse import connect
from cdp.matching.explanation import parse_explanation


def _table(title: str, columns: list[str], rows: list[tuple]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    return table


def explain_person(conn: duckdb.DuckDBPyConnection, person_id: str) -> dict[str, list[tuple]]:
    """The facts behind one person, as rows (also used by tests)."""
    identifiers = conn.execute(
        "select identifier_type, identifier_value, first_seen_at, last_seen_at "
        "from marts.person_identifiers where person_id = ? "
        "order by identifier_type, identifier_value",
        [person_id],
    ).fetchall()
    links = conn.execute(
        """
        with person_nodes as (
            select n.node_id, n.identifier_type || ':' || n.identifier_value as node_key,
                   n.identifier_type, n.identifier_value
            from intermediate.int_identity_nodes as n
            inner join intermediate.int_person_identifiers as p
                on n.identifier_type = p.identifier_type
                and n.identifier_value = p.identifier_value
            where p.person_id = ?
        ),
        person_observations as (
            select distinct o.source_table, o.source_record_id, n.node_id
            from intermediate.int_identifiers_normalised as o
            inner join person_nodes as n
                on o.identifier_type = n.identifier_type
                and o.identifier_value = n.identifier_value
        ),
        person_edges as (
            select e.node_id_a, e.node_id_b
            from intermediate.int_identity_edges as e
            where e.node_id_a in (select node_id from person_nodes)
                and e.node_id_b in (select node_id from person_nodes)
        ),
        -- The graph keeps links only; the records behind them are found again here.
        edge_records as (
            select e.node_id_a, e.node_id_b, a.source_table, a.source_record_id
            from person_edges as e
            inner join person_observations as a on e.node_id_a = a.node_id
            inner join person_observations as b
                on e.node_id_b = b.node_id
                and a.source_table = b.source_table
                and a.source_record_id = b.source_record_id
        )
        select a.node_key, b.node_key,
               -- one record, the same for both columns
               arg_min(r.source_table, r.source_table || ' ' || r.source_record_id),
               arg_min(r.source_record_id, r.source_table || ' ' || r.source_record_id),
               count(*) as records
        from edge_records as r
        inner join person_nodes as a on r.node_id_a = a.node_id
        inner join person_nodes as b on r.node_id_b = b.node_id
        group by a.node_key, b.node_key
        order by records desc, a.node_key, b.node_key
        """,
        [person_id],
    ).fetchall()
    refused = conn.execute(
        """
        with person_records as (
            select distinct o.source_table, o.source_record_id
            from intermediate.int_identifiers_normalised as o
            inner join intermediate.int_person_identifiers as p
                on o.identifier_type = p.identifier_type
                and o.identifier_value = p.identifier_value
            where p.person_id = ?
        ),
        neighbours as (
            select distinct o.identifier_type, coalesce(o.identifier_value, o.raw_value) as value,
                   r.source_table || ' ' || r.source_record_id as record
            from intermediate.int_identifiers_normalised as o
            inner join person_records as r
                on o.source_table = r.source_table and o.source_record_id = r.source_record_id
        )
        select refused.identifier_type, refused.identifier_value, refused.reason,
               refused.details, min(neighbours.record)
        from marts.identity_refused_links as refused
        inner join neighbours
            on refused.identifier_type = neighbours.identifier_type
            and refused.identifier_value = neighbours.value
        group by all
        order by 1, 2
        """,
        [person_id],
    ).fetchall()
    probabilistic = _probabilistic_matches(conn, person_id)
    events = conn.execute(
        "select occurred_at, event_type, old_person_id, new_person_id, reason "
        "from marts.identity_merges where ? in (old_person_id, new_person_id) order by occurred_at",
        [person_id],
    ).fetchall()
    return {
        "identifiers": identifiers,
        "links": links,
        "probabilistic": probabilistic,
        "refused": refused,
        "events": events,
    }


def _probabilistic_matches(conn: duckdb.DuckDBPyConnection, person_id: str) -> list[tuple]:
    """The pairs the matcher scored on the person's records (a warehouse built before the
    probabilistic stage, or by a partial dbt build, has none)."""
    [(exists,)] = conn.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'identity_probabilistic_links'"
    ).fetchall()
    if not exists:
        return []
    return conn.execute(
        """
        select source_table_l || ' ' || source_record_id_l,
               source_table_r || ' ' || source_record_id_r,
               match_probability, match_weight, decision, comparison_levels
        from marts.identity_probabilistic_links
        where ? in (person_id_l, person_id_r) and decision <> 'below threshold'
        order by decision <> 'link', match_probability desc, 1, 2
        """,
        [person_id],
    ).fetchall()


def _print_probabilistic(rows: list[tuple], console: Console) -> None:
    """Each pair the matcher scored on this person's records, with Splink's comparison levels
    and their weights in bits: the waterfall chart in words (positive weights are evidence
    for one person, negative against; the prior and these sum to the match weight)."""
    console.print("[bold]Probabilistic matches[/bold] (Splink; records that share no identifier)")
    for left, right, probability, weight, decision, levels in rows:
        console.print(
            f"  {left}  ~  {right}: probability {probability:.4f}, match weight {weight:+.1f} "
            f"→ {decision}",
            markup=False,
        )
        for comparison, level, bits in parse_explanation(levels):
            console.print(f"      {bits:+6.1f}  {comparison}: {level}", markup=False)


def print_explanation(settings: Settings, value: str, console: Console) -> None:
    conn = connect(settings.warehouse, read_only=True)
    try:
        person_id = find_person_id(conn, value, settings.default_phone_region)
        facts = explain_person(conn, person_id)
    finally:
        conn.close()
    console.print(f"[bold]Person {person_id}[/bold]")
    console.print(
        _table("Identifiers", ["type", "value", "first seen", "last seen"], facts["identifiers"])
    )
    console.print(
        _table(
            "Links that joined them (identifiers seen on the same source record)",
            ["identifier", "linked to", "record (one of them)", "", "records"],
            facts["links"],
        )
    )
    if facts["probabilistic"]:
        _print_probabilistic(facts["probabilistic"], console)
    if facts["refused"]:
        console.print(
            _table(
                "Links refused by guards (identifiers on this person's records)",
                ["type", "value", "guard", "evidence", "record"],
                facts["refused"],
            )
        )
    else:
        console.print("No link on this person's records was refused.")
    if facts["events"]:
        console.print(
            _table(
                "Merges and splits", ["when", "event", "old id", "new id", "why"], facts["events"]
            )
        )
