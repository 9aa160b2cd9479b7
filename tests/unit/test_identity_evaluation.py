"""Pairwise precision and recall of cdp/demo_data/evaluation.py on a hand-made truth."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cdp.demo_data.evaluation import evaluate_identity

# Truth: person A owns a1, p1, c1; person B owns b1, b2. p9 is a family phone (two owners)
# and p0 a shop counter phone (no owner): both stay out of the pairs.
TRUTH = """identifier_type,identifier_value,true_person_id
email,a1,A
phone,p1,A
cookie,c1,A
email,b1,B
email,b2,B
phone,p9,A
phone,p9,B
phone,p0,
"""

# The warehouse put a1, p1 and B's b2 in person X, b1 alone in Z, and never saw c1.
PREDICTIONS = [
    ("email", "a1", "X"),
    ("phone", "p1", "X"),
    ("email", "b2", "X"),
    ("email", "b1", "Z"),
]

# Records: one holds a1 and p1, one c1 alone (nothing links it to A), one b1 and b2.
RECORDS = [
    ("shop", "r1", "email", "a1"),
    ("shop", "r1", "phone", "p1"),
    ("web", "r2", "cookie", "c1"),
    ("shop", "r3", "email", "b1"),
    ("shop", "r3", "email", "b2"),
]


@pytest.fixture
def conn(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    (tmp_path / "identifiers.csv").write_text(TRUTH)
    conn = duckdb.connect()
    conn.execute("create schema marts")
    conn.execute(
        "create table marts.person_identifiers "
        "(identifier_type varchar, identifier_value varchar, person_id varchar)"
    )
    conn.executemany("insert into marts.person_identifiers values (?, ?, ?)", PREDICTIONS)
    conn.execute("create schema intermediate")
    conn.execute(
        "create table intermediate.int_identifiers_normalised (source_table varchar, "
        "source_record_id varchar, identifier_type varchar, identifier_value varchar, "
        "is_valid boolean)"
    )
    conn.executemany(
        "insert into intermediate.int_identifiers_normalised values (?, ?, ?, ?, true)", RECORDS
    )
    return conn


def test_pairwise_precision_and_recall(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    accuracy = evaluate_identity(conn, tmp_path)

    # Cells (true person, predicted person): (A, X) 2, (A, missing c1) 1, (B, Z) 1, (B, X) 1.
    # True positive pairs: a1-p1 only. Predicted pairs: X holds 3 -> 3. True pairs: A 3 + B 1.
    assert accuracy.identifiers_evaluated == 5
    assert accuracy.identifiers_shared_or_unowned == 2
    assert accuracy.identifiers_missing == 1
    assert accuracy.true_people == 2
    assert accuracy.predicted_people == 3
    assert accuracy.precision == pytest.approx(1 / 3, abs=1e-5)
    assert accuracy.recall == pytest.approx(1 / 4, abs=1e-5)
    assert accuracy.f1 == pytest.approx(2 / 7, abs=1e-5)
    assert accuracy.true_people_split == 2
    assert accuracy.predicted_people_merged == 1
    # The records can prove a1-p1 and b1-b2 only: 1 of those 2 pairs was found.
    assert accuracy.attainable_recall == pytest.approx(1 / 2, abs=1e-5)


def test_perfect_prediction_scores_one(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    conn.execute("delete from marts.person_identifiers")
    conn.execute(
        "insert into marts.person_identifiers values ('email', 'a1', 'A'), ('phone', 'p1', 'A'), "
        "('cookie', 'c1', 'A'), ('email', 'b1', 'B'), ('email', 'b2', 'B')"
    )
    accuracy = evaluate_identity(conn, tmp_path)

    assert (accuracy.precision, accuracy.recall, accuracy.f1) == (1.0, 1.0, 1.0)
    assert accuracy.true_people_split == accuracy.predicted_people_merged == 0


def test_a_fuzzy_persons_name_and_address_records_count_as_attainable(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # Person F (tagged fuzzy): a Square profile holding only s1, a Shopify customer holding f1
    # and k1 (no shared identifier between them) and a browser c2 that nothing links.
    with (tmp_path / "identifiers.csv").open("a") as fh:
        fh.write("square_customer_id,s1,F\nemail,f1,F\nshopify_customer_id,k1,F\ncookie,c2,F\n")
    (tmp_path / "people.csv").write_text(
        "true_person_id,first_name,last_name,emails,phones,tags\n"
        "A,Ann,Lee,,,\nB,Bo,Ray,,,family\nF,Fay,Cole,f1,,fuzzy;omnichannel\n"
    )
    conn.executemany(
        "insert into intermediate.int_identifiers_normalised values (?, ?, ?, ?, true)",
        [
            ("square_customers", "r4", "square_customer_id", "s1"),
            ("shopify_customers", "r5", "email", "f1"),
            ("shopify_customers", "r5", "shopify_customer_id", "k1"),
            ("web", "r6", "cookie", "c2"),
        ],
    )
    conn.execute(
        "insert into marts.person_identifiers values ('square_customer_id', 's1', 'Y'), "
        "('email', 'f1', 'Y'), ('shopify_customer_id', 'k1', 'Y')"
    )
    accuracy = evaluate_identity(conn, tmp_path)

    # True positives: a1-p1 and F's three pairs. Provable: a1-p1, b1-b2 and F's s1, f1, k1
    # (3 pairs) by name and address; by identifiers alone only f1-k1 of F's.
    assert accuracy.attainable_recall == pytest.approx(4 / 5, abs=1e-5)
    assert accuracy.exact_attainable_recall == pytest.approx(4 / 3, abs=1e-5)


def test_without_fuzzy_people_both_attainable_figures_agree(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    (tmp_path / "people.csv").write_text(
        "true_person_id,first_name,last_name,emails,phones,tags\nA,Ann,Lee,,,\nB,Bo,Ray,,,\n"
    )
    accuracy = evaluate_identity(conn, tmp_path)

    assert accuracy.attainable_recall == accuracy.exact_attainable_recall == pytest.approx(0.5)
