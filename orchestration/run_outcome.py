"""What a finished run's Dagster events say: real failures, skipped steps, dbt warnings.

`cdp run` decides its exit code from this and from the warehouse's warning rows
(cdp/cli/summary.py): a real failure (a step failed, a dbt model failed to build, an
error-severity test or check failed, a file was rejected) or a skipped step fails the run;
warnings (a dbt test that warned, …) fail it only with `--strict`. The dbt steps report every
node that did not pass as an observation (orchestration/defs/transform.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Metadata keys of the observations by which the dbt steps report the dbt nodes that did not
# pass (written by orchestration/defs/transform.py; kept here so reading them needs no manifest).
DBT_STATUS = "cdp/dbt_status"
DBT_NODE = "cdp/dbt_node"
DBT_RESOURCE_TYPE = "cdp/dbt_resource_type"
DBT_MESSAGE = "cdp/dbt_message"
DBT_FAILURES = "cdp/dbt_failures"
# dbt statuses worth reporting; `withheld` is ours: built, but an error-severity test failed.
REPORTED_STATUSES = ("error", "fail", "warn", "skipped", "runtime error")
FAILED_DBT_STATUSES = ("error", "fail", "runtime error")
WITHHELD = "withheld"


@dataclass
class RunOutcome:
    failures: list[str] = field(default_factory=list)
    """One line per real failure, naming the step and what failed."""
    not_built: list[str] = field(default_factory=list)
    """dbt models this run did not build or publish, with the reason."""
    skipped_steps: list[str] = field(default_factory=list)
    """Dagster steps skipped because something they depend on was not built."""
    dbt_warnings: list[tuple[str, str, int, str]] = field(default_factory=list)
    """(test, model asset, failing rows, step) of dbt tests that warned."""
    check_warnings: list[tuple[str, str, str]] = field(default_factory=list)
    """(check, asset, description) of other warn-severity checks that did not pass."""

    @property
    def failed(self) -> bool:
        return bool(self.failures or self.skipped_steps)


def _value(metadata: dict[str, Any], key: str) -> Any:
    entry = metadata.get(key)
    return getattr(entry, "value", entry)


def _first_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else "failed"


def judge_events(events: Iterable[Any]) -> RunOutcome:
    """Reads a run's DagsterEvents (`ExecuteInProcessResult.all_events`)."""
    outcome = RunOutcome()
    for event in events:
        kind = event.event_type_value
        if kind == "STEP_FAILURE":
            error = event.event_specific_data.error
            message = _first_line(error.message if error else "")
            outcome.failures.append(f"step {event.step_key} failed: {message}")
        elif kind == "STEP_SKIPPED":
            outcome.skipped_steps.append(event.step_key)
        elif kind == "ASSET_OBSERVATION":
            _dbt_observation(outcome, event)
        elif kind == "ASSET_CHECK_EVALUATION":
            _check_evaluation(outcome, event)
    outcome.skipped_steps = sorted(set(outcome.skipped_steps))
    return outcome


def _dbt_observation(outcome: RunOutcome, event: Any) -> None:
    observation = event.event_specific_data.asset_observation
    metadata = dict(observation.metadata)
    status = _value(metadata, DBT_STATUS)
    if status is None:
        return
    node = _value(metadata, DBT_NODE)
    resource = _value(metadata, DBT_RESOURCE_TYPE)
    message = _value(metadata, DBT_MESSAGE)
    failures = int(_value(metadata, DBT_FAILURES) or 0)
    asset = observation.asset_key.to_user_string()
    step = event.step_key
    if status in FAILED_DBT_STATUSES:
        if resource in ("test", "unit_test"):
            rows = f" ({failures:,} failing rows)" if failures else ""
            outcome.failures.append(
                f"step {step}: dbt {resource.replace('_', ' ')} {node} on {asset} failed{rows}: "
                f"{message}"
            )
        else:
            outcome.failures.append(f"step {step}: dbt {resource} {node} failed: {message}")
    elif status == "warn" and resource == "test":
        outcome.dbt_warnings.append((node, asset, failures, step))
    elif status == "skipped" and resource in ("model", "seed", "snapshot"):
        outcome.not_built.append(f"{asset}: skipped by dbt ({message})")
    elif status == WITHHELD:
        outcome.not_built.append(f"{asset}: {message}")


def _check_evaluation(outcome: RunOutcome, event: Any) -> None:
    evaluation = event.event_specific_data
    if evaluation.passed:
        return
    metadata = dict(evaluation.metadata or {})
    if str(_value(metadata, "unique_id") or "").startswith(("test.", "unit_test.")):
        return  # dbt tests are reported through the dbt step's observations
    asset = evaluation.asset_key.to_user_string()
    severity = getattr(evaluation.severity, "value", str(evaluation.severity))
    if severity == "ERROR":
        outcome.failures.append(
            f"step {event.step_key}: check {evaluation.check_name} on {asset} failed"
            + (f": {evaluation.description}" if evaluation.description else "")
        )
    elif evaluation.check_name != "great_expectations":  # GX: from meta.validation_results
        outcome.check_warnings.append(
            (evaluation.check_name, asset, evaluation.description or "did not pass")
        )
