"""The dbt models as Dagster assets; dbt tests become asset checks.

Failures stay local (docs/ingestion.md, "What blocks what"): `dbt build` runs with
`raise_on_error=False`, so a failing model or test does not fail the whole step and skip every
export. dbt's own build semantics decide what is built: a model whose build failed, or that dbt
skipped because something upstream failed, yields no output, and the Dagster assets that depend
on it (exports of a segment, the predictive step) are skipped. A model dbt built but whose
error-severity test failed is not published either: its output is held until its tests have
reported and then withheld, so its descendants outside dbt do not run on it, just as its
descendants inside dbt were skipped. That is why the dbt checks are declared non-blocking:
Dagster's own blocking would fail the step and stop every unrelated export. Every dbt node that
did not pass (model error, test failure or warning, skip, withheld output) is reported as an
AssetObservation with `cdp/dbt_*` metadata, which `cdp run` reads for its summary and exit code.
"""

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.dbt_project import dbt_project, run_vars
from orchestration.defs.parquet_mirror import publish_spark_tables, sync_parquet_mirror
from orchestration.resources import CdpSettingsResource, DbtRunResource, WarehouseResource
from orchestration.run_outcome import (
    DBT_FAILURES,
    DBT_MESSAGE,
    DBT_NODE,
    DBT_RESOURCE_TYPE,
    DBT_STATUS,
    FAILED_DBT_STATUSES,
    REPORTED_STATUSES,
    WITHHELD,
)

# What Dagster accepts as a tag key and as a tag value (letters, digits, `_`, `-`, `.`).
_TAG_PART = re.compile(r"^[A-Za-z0-9_.-]{1,63}$")


class CdpDbtTranslator(DagsterDbtTranslator):
    """dagster-dbt's translator with every dbt test as a non-blocking asset check: the gating
    of a model's descendants is done per model by `build_dbt_models`, not per step.

    Groups, owners and tags come from dbt's config (dbt_project.yml): the group from
    `meta.dagster.group` (dagster-dbt's own key), the owner from dbt's `meta.owner`, and dbt
    tags written `key:value` (`layer:mart`, `source:shopify`) become the Dagster tag
    key = value; plain ones (`pii`, `segment`) stay keys with an empty value."""

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        owner = (dbt_resource_props.get("config", {}).get("meta") or {}).get("owner")
        if owner:
            return [owner] if isinstance(owner, str) else list(owner)
        return super().get_owners(dbt_resource_props)

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        tags: dict[str, str] = {}
        for tag in dbt_resource_props.get("tags", []):
            key, _, value = tag.partition(":")
            if _TAG_PART.match(key) and (not value or _TAG_PART.match(value)):
                tags[key] = value
        return tags

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or not spec.blocking:
            return spec
        return dg.AssetCheckSpec(
            spec.name,
            asset=spec.asset_key,
            description=spec.description,
            additional_deps=spec.additional_deps,
            blocking=False,
            metadata=spec.metadata,
        )


translator = CdpDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def build_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    args: list[str],
    fetch_table_metadata: bool = False,
) -> Iterator[Any]:
    """Runs `dbt <args>` and yields its Dagster events with dbt's failures kept local.

    With `fetch_table_metadata`, each model's materialization also carries its row count
    (`dagster/row_count`) and the column names and types the warehouse holds, read by
    dagster-dbt through dbt's adapter. On DuckDB it reads them once dbt has exited (dbt holds
    the warehouse file's lock while it runs), so this step's events then arrive together.

    A model's output is held until the checks selected on it have reported; it is withheld
    when one of them failed with error severity. After dbt exits, every node that did not
    pass is reported as an observation (see the module docstring). The step itself fails only
    when dbt failed without a node to blame (a compilation error, an unreachable warehouse).
    """
    pending: dict[dg.AssetKey, set[str]] = defaultdict(set)
    for check_key in context.selected_asset_check_keys:
        pending[check_key.asset_key].add(check_key.name)
    # Dagster wants a step's outputs in dependency order, and a check can report after the
    # model's children were built (a singular test reading a downstream model too, such as
    # marketing_audiences_hold_only_subscribed_people on profiles): an output also waits for
    # its held parents. dbt reports a model after its parents, so `held` is in dependency order.
    parents = context.assets_def.asset_deps
    held: dict[dg.AssetKey, dg.Output] = {}
    failed_checks: dict[dg.AssetKey, list[str]] = defaultdict(list)

    def waits(key: dg.AssetKey) -> bool:
        return bool(pending.get(key)) or any(parent in held for parent in parents.get(key, ()))

    def release_ready() -> Iterator[dg.Output]:
        for key in list(held):
            if not waits(key):
                yield from _release(context, held.pop(key), failed_checks.get(key))

    invocation = dbt.cli(args, context=context, raise_on_error=False)
    events = invocation.stream()
    if fetch_table_metadata:
        # Without column lineage: dagster-dbt derives it by parsing every model's SQL with
        # sqlglot, which took the 1,000-person demo run from about 66 s of CPU to 164 s
        # (about 100 s with row counts and column types alone).
        events = events.fetch_row_counts().fetch_column_metadata(with_column_lineage=False)
    try:
        for event in events:
            if isinstance(event, dg.Output):
                event = _plain_column_types(event)
                key = context.asset_key_for_output(event.output_name)
                if waits(key):
                    held[key] = event
                    continue
            elif isinstance(event, dg.AssetCheckResult) and event.asset_key is not None:
                key = event.asset_key
                pending[key].discard(event.check_name)
                if not event.passed and event.severity == dg.AssetCheckSeverity.ERROR:
                    failed_checks[key].append(event.check_name)
                yield event
                yield from release_ready()
                continue
            yield event
        for key, output in list(held.items()):  # tests that never reported (skipped by dbt)
            yield from _release(context, output, failed_checks.get(key))
    finally:
        if fetch_table_metadata:
            _close_warehouse_connections(invocation)

    outcomes = list(_dbt_outcomes(context, invocation, failed_checks))
    yield from outcomes
    if not invocation.is_successful() and not any(
        o.metadata[DBT_STATUS].value in FAILED_DBT_STATUSES for o in outcomes
    ):
        raise invocation.get_error() or dg.Failure("dbt failed")


# dbt's adapter reports a DuckDB VARCHAR, which has no length, as `character varying(256)`.
_DBT_STRING_TYPE = re.compile(r"^character varying(\(\d+\))?$", re.IGNORECASE)


def _plain_column_types(output: dg.Output) -> dg.Output:
    """The column types fetched after a build as the warehouse names them, lower case like the
    types the marts' YAML declares (`varchar`, `decimal(18,2)`): the UI shows these over them."""
    schema = output.metadata.get("dagster/column_schema")
    if schema is None:
        return output
    columns = [
        dg.TableColumn(
            name=column.name,
            type="varchar" if _DBT_STRING_TYPE.match(column.type) else column.type.lower(),
            description=column.description,
            constraints=column.constraints,
            tags=column.tags,
        )
        for column in schema.value.columns
    ]
    return output.with_metadata(
        {**output.metadata, "dagster/column_schema": dg.TableSchema(columns=columns)}
    )


def _close_warehouse_connections(invocation: Any) -> None:
    """Closes the warehouse connection dagster-dbt's adapter opened in this process to read row
    counts and columns. dbt-duckdb keeps its DuckDB database open for the life of the process,
    and DuckDB refuses a second connection to the file with other settings: the next Python
    asset run in this process (WarehouseResource) could not open the warehouse."""
    adapter = invocation.adapter
    if adapter is None:
        return
    adapter.cleanup_connections()
    manager = type(adapter.connections)
    environment = getattr(manager, "_ENV", None)  # dbt-duckdb's process-wide database
    if environment is not None:
        environment.close()
        manager.close_all_connections()


def _release(
    context: dg.AssetExecutionContext, output: dg.Output, failed_checks: list[str] | None
) -> Iterator[dg.Output]:
    if failed_checks:
        context.log.error(
            f"{context.asset_key_for_output(output.output_name).to_user_string()} was built but "
            f"not published: its test(s) {', '.join(failed_checks)} failed (error severity); "
            "what depends on it does not run."
        )
        return
    yield output


def _dbt_outcomes(
    context: dg.AssetExecutionContext, invocation: Any, failed_checks: dict[dg.AssetKey, list]
) -> Iterator[dg.AssetObservation]:
    """One observation per dbt node of this invocation that did not pass, on its model."""
    try:
        results = invocation.get_artifact("run_results.json").get("results", [])
    except (OSError, ValueError):
        results = []
    manifest = invocation.manifest
    withheld = {key for key, checks in failed_checks.items() if checks}
    for result in results:
        unique_id = result.get("unique_id", "")
        status = str(result.get("status", "")).lower()
        node = manifest.get("nodes", {}).get(unique_id)
        if node is None:
            continue
        key = _model_key(manifest, node)
        if key is None:
            continue
        resource_type = node.get("resource_type", "")
        if resource_type in ("model", "seed", "snapshot") and status == "success":
            if key not in withheld:
                continue
            status = WITHHELD
            message = f"built, not published: test(s) {', '.join(failed_checks[key])} failed"
        elif status not in REPORTED_STATUSES:
            continue
        elif resource_type == "test" and status == "skipped":
            continue  # a test skipped because its model was not built says nothing new
        else:
            message = (result.get("message") or status).strip().splitlines()[0][:500]
        yield dg.AssetObservation(
            asset_key=key,
            description=f"dbt {resource_type} {node.get('name')}: {status}",
            metadata={
                DBT_STATUS: status,
                DBT_NODE: node.get("name", unique_id),
                DBT_RESOURCE_TYPE: resource_type,
                DBT_MESSAGE: message,
                DBT_FAILURES: int(result.get("failures") or 0),
            },
        )


def _model_key(manifest: Mapping[str, Any], node: Mapping[str, Any]) -> dg.AssetKey | None:
    """The asset a dbt node reports on: itself for a model, the tested model for a test."""
    if node.get("resource_type") in ("model", "seed", "snapshot"):
        return translator.get_asset_spec(manifest, node["unique_id"], dbt_project).key
    attached = node.get("attached_node") or next(
        (
            parent
            for parent in node.get("depends_on", {}).get("nodes", [])
            if parent.split(".")[0] in ("model", "seed", "snapshot")
        ),
        None,
    )
    if attached is None or attached not in manifest.get("nodes", {}):
        return None
    return translator.get_asset_spec(manifest, attached, dbt_project).key


# dbt's unit tests check the models' logic on fixed inputs: they belong to development and CI
# (`make test` runs them: tests/e2e/test_pipeline.py), not to every pipeline run, as dbt
# recommends for production builds.
PIPELINE_BUILD_FLAGS = ("--exclude-resource-type", "unit_test")

# The dbt project runs in three named steps around two Python assets (the pattern dagster-dbt
# documents for a Python asset between dbt models):
#   1. cdp_dbt_matching_inputs: the person-like records Splink compares, and what they need;
#   2. identity_matching/record_pairs (orchestration/defs/matching.py), then cdp_dbt_models:
#      everything else, identity included, except
#   3. predictive/customer_predictions, then cdp_dbt_prediction_models: the models that read the
#      predictions (orchestration/defs/predictive.py).
MATCHING_INPUTS = "+int_identity_candidate_records"
PREDICTION_CONSUMERS = "source:predictive+"


def run_dbt_step(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    cdp_settings: CdpSettingsResource,
    dbt_run: DbtRunResource,
    indirect_selection: str | None = None,
) -> Iterator[Any]:
    """The body of the dbt steps: `dbt build` of the step's selection with the run's vars,
    between the Spark hand-offs (orchestration/defs/parquet_mirror.py; no-ops on DuckDB)."""
    settings = cdp_settings.settings()
    args = ["build", *PIPELINE_BUILD_FLAGS, "--vars", run_vars(settings, dbt_run.as_of)]
    if indirect_selection:
        args += ["--indirect-selection", indirect_selection]
    if dbt_run.full_refresh:
        args.append("--full-refresh")
    sync_parquet_mirror(context, warehouse, settings, dbt_project.manifest_path)
    # Row counts and column types on DuckDB only: on Spark, dagster-dbt would open a second
    # Spark session beside dbt's, on the same single-user metastore.
    yield from build_dbt_models(
        context, dbt, args, fetch_table_metadata=settings.dbt_target == "duckdb"
    )
    publish_spark_tables(context, warehouse, settings, dbt_project.manifest_path)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    select=MATCHING_INPUTS,
)
def cdp_dbt_matching_inputs(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    cdp_settings: CdpSettingsResource,
    dbt_run: DbtRunResource,
):
    """Builds (runs and tests) the staging and identity models the probabilistic matcher reads."""
    # Only the tests whose models are all in this step: a relationships test between an order
    # (built here) and its line items (built in the next step) runs there, once both exist.
    yield from run_dbt_step(
        context, dbt, warehouse, cdp_settings, dbt_run, indirect_selection="cautious"
    )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    exclude=f"{MATCHING_INPUTS} {PREDICTION_CONSUMERS}",
)
def cdp_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    cdp_settings: CdpSettingsResource,
    dbt_run: DbtRunResource,
):
    """Builds (runs and tests) the selected dbt models against the warehouse this run holds."""
    yield from run_dbt_step(context, dbt, warehouse, cdp_settings, dbt_run)
