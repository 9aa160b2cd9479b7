"""Asset checks on the raw tables: rows reconcile file by file, and the Great Expectations suite.

Two checks per raw table, evaluated together in one step after the raw assets (the facts come
from `ingestion.audit`, which reads the manifest, the quarantine and the stored GX results):

- `rows_reconcile` (ERROR, blocking): for every loaded file rows read = rows loaded + rows
  quarantined and the raw table holds exactly the rows loaded. A failure means a row was lost
  or doubled, so the dbt models downstream do not run on it.
- `great_expectations` (WARN): the table's GX suite passed on every file currently loaded;
  failed expectations are listed with counts and sample values.
"""

from collections.abc import Iterator

import dagster as dg

from ingestion.audit import describe_failures, reconcile, validation_findings
from ingestion.sources import SOURCES
from ingestion.validation import suite_rules
from orchestration.defs.ingestion import raw_asset_key
from orchestration.resources import WarehouseResource

ROWS_RECONCILE = "rows_reconcile"
GREAT_EXPECTATIONS = "great_expectations"


def _specs() -> list[dg.AssetCheckSpec]:
    specs = []
    for table in SOURCES:
        key = raw_asset_key(table)
        specs.append(
            dg.AssetCheckSpec(
                ROWS_RECONCILE,
                asset=key,
                blocking=True,
                description="Per file: rows read = rows loaded + rows quarantined, and the "
                "raw table holds exactly the rows loaded (nothing lost, nothing doubled).",
            )
        )
        specs.append(
            dg.AssetCheckSpec(
                GREAT_EXPECTATIONS,
                asset=key,
                description=f"Great Expectations suite raw_{table} "
                f"({len(suite_rules(table))} expectations) on every loaded file; results in "
                "meta.validation_results.",
            )
        )
    return specs


@dg.multi_asset_check(specs=_specs(), can_subset=True, compute_kind="great_expectations")
def raw_table_checks(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    """Reconciles row counts and reports the GX results of each selected raw table."""
    with warehouse.connection() as conn:
        for check_key in context.selected_asset_check_keys:
            table = check_key.asset_key.path[-1]
            if check_key.name == ROWS_RECONCILE:
                outcome = reconcile(conn, table)
                yield dg.AssetCheckResult(
                    asset_key=check_key.asset_key,
                    check_name=ROWS_RECONCILE,
                    passed=outcome.ok,
                    severity=dg.AssetCheckSeverity.ERROR,
                    metadata={
                        "files": outcome.files,
                        "rows_read": outcome.rows_read,
                        "rows_loaded": outcome.rows_loaded,
                        "rows_quarantined": outcome.rows_quarantined,
                        "problems": dg.MetadataValue.md(
                            "\n".join(f"- {p}" for p in outcome.problems[:50]) or "none"
                        ),
                    },
                )
            else:
                findings = validation_findings(conn, table)
                failed = [f for f in findings if not f.success]
                yield dg.AssetCheckResult(
                    asset_key=check_key.asset_key,
                    check_name=GREAT_EXPECTATIONS,
                    passed=not failed,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={
                        "expectation_results": len(findings),
                        "failed": len(failed),
                        "files_with_failures": len({f.file_path for f in failed}),
                        "failures": dg.MetadataValue.md(describe_failures(findings) or "none"),
                    },
                )
