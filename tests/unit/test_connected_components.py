"""The `connected_components` dbt materialization against scipy on graphs that stress it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


def _hard_graph(rng: np.random.Generator) -> tuple[int, np.ndarray, np.ndarray]:
    """A disjoint union of the shapes that break naive algorithms, with shuffled node ids."""
    edges: list[tuple[int, int]] = []
    next_id = 0

    def block(size: int) -> range:
        nonlocal next_id
        nodes = range(next_id, next_id + size)
        next_id += size
        return nodes

    path = block(3000)  # a long chain: label propagation alone needs 3000 rounds
    edges += [(a, a + 1) for a in path[:-1]]
    star = block(500)
    edges += [(star[0], leaf) for leaf in star[1:]]
    for _ in range(300):  # random trees of people with ~10 identifiers
        tree = block(int(rng.integers(1, 20)))
        edges += [(tree[i], tree[int(rng.integers(0, i))]) for i in range(1, len(tree))]
    dense = block(200)
    edges += [tuple(rng.choice(dense, 2, replace=False)) for _ in range(2000)]
    block(100)  # isolated nodes
    permutation = rng.permutation(next_id) + 1
    a = np.array([permutation[x] for x, _ in edges], dtype=np.int64)
    b = np.array([permutation[y] for _, y in edges], dtype=np.int64)
    return next_id, a, b


def test_materialization_matches_scipy(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    n_nodes, a, b = _hard_graph(rng)
    warehouse = tmp_path / "cc.duckdb"
    conn = duckdb.connect(str(warehouse))
    conn.execute("create schema intermediate")
    conn.register("nodes_arrow", pa.table({"node_id": np.arange(1, n_nodes + 1, dtype=np.int64)}))
    conn.register("edges_arrow", pa.table({"node_id_a": a, "node_id_b": b}))
    conn.execute("create table intermediate.int_identity_nodes as select * from nodes_arrow")
    conn.execute("create table intermediate.int_identity_edges as select * from edges_arrow")
    # The components model leaves out weak identifiers refused upstream: none here.
    conn.execute("create table intermediate.int_identity_weak_refusals (node_id bigint)")
    conn.close()

    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")), "run",
            "--select", "int_identity_components",
            "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
            "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
        ],
        env={**os.environ, "CDP_WAREHOUSE": str(warehouse)},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:]

    conn = duckdb.connect(str(warehouse), read_only=True)
    ours = dict(
        conn.execute(
            "select node_id, component_id from intermediate.int_identity_components"
        ).fetchall()
    )
    leftovers = conn.execute(
        "select count(*) from information_schema.tables where table_name like '%__cc_%'"
    ).fetchone()[0]
    conn.close()

    graph = coo_matrix((np.ones(len(a)), (a - 1, b - 1)), shape=(n_nodes, n_nodes))
    count, labels = connected_components(graph, directed=False)
    assert len(ours) == n_nodes
    assert len(set(ours.values())) == count
    # Same partition, and each component is labelled by its smallest node id.
    smallest: dict[int, int] = {}
    for node, label in enumerate(labels, start=1):
        smallest[label] = min(smallest.get(label, node), node)
    assert all(ours[node] == smallest[label] for node, label in enumerate(labels, start=1))
    assert leftovers == 0, "working tables must be dropped"
