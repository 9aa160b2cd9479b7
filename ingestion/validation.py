"""Great Expectations suites for the raw tables, run once per table on the files a run loaded.

One suite per raw table: required values present, allowed values, formats the staging models
can parse (email shape, ISO timestamps, money with a decimal point, dates), numeric ranges.
Raw columns are text, so ranges are checked on a numeric copy of the column (`<col>__number`)
added to the batch. The suite runs through an ephemeral GX context and a pandas data source on
the rows of every file the run loaded into the table (one GX run per table, however many files),
in chunks of at most `CHUNK_ROWS` rows so memory stays bounded whatever the file size; GX names
each unexpected row's `_source_file`, so the results are kept per file. Results go to
`meta.validation_results`, where the Dagster asset checks (orchestration/defs/ingestion_checks.py)
and `cdp status` read them.

Validation reports, it does not gate: rows that break an expectation are loaded and flagged
(staging turns what it cannot parse into null). Only unloadable records are quarantined.

Columns staging reads through a known vocabulary (consent statuses, event names, currencies,
…: the dbt seed `vocabulary_values`) are checked on their normalised token
(ingestion/vocabulary.py), as staging maps them: `SUBSCRIBED` and ` subscribed ` pass, and only
a value staging would turn into `unknown` fails the expectation.
"""

from __future__ import annotations

import csv
import json
import logging
import warnings
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from cdp.core.warehouse import create_table_if_missing
from ingestion.vocabulary import token_sql, tokens

RESULTS_TABLE = "meta.validation_results"
FILE_COLUMN = "_source_file"
CHUNK_ROWS = 500_000
SAMPLE_SIZE = 5

EMAIL = r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$"
ISO_TIMESTAMP = (
    r"^\s*\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s?(?:Z|z|[+-]\d{2}(?::?\d{2})?)?)?\s*$"
)
MAILCHIMP_TIME = r"^\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s*$"
DATE = r"^\s*(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})\s*$"
TIME = r"^\s*\d{1,2}:\d{2}(?::\d{2})?\s*$"
# What staging's parse_money reads correctly: symbol, minus or parentheses, thousands commas,
# a decimal *point*. `1.234,50` (decimal comma) would be misread, so it is flagged.
MONEY = r"^\s*\(?\s*-?\s*[$€£]?\s*-?\s*\d{1,3}(?:,?\d{3})*(?:\.\d+)?\s*\)?\s*$"
INTEGER = r"^\s*-?\d+\s*$"
DECIMAL = r"^\s*-?\d+(?:\.\d+)?\s*$"
# Shopify ids: numbers (REST, CSV with a leading apostrophe) or GraphQL ids (gid://shopify/Order/1).
NUMERIC_ID = r"^\s*(?:'?\d+|gid://shopify/\w+/\d+)\s*$"

_SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"


@cache
def _square_time_zones() -> tuple[str, ...]:
    """The Square time-zone names staging can map to IANA zones (the dbt seed)."""
    path = _SEEDS / "square_time_zones.csv"
    if not path.exists():
        return ()
    with path.open(newline="", encoding="utf-8") as handle:
        return tuple(row["square_time_zone"] for row in csv.DictReader(handle))


@dataclass(frozen=True)
class Rule:
    """One expectation on one raw column, in a form that can be summed over chunks."""

    kind: str  # not_null | in_set | in_vocabulary | regex | between
    column: str
    arg: Any = None
    mostly: float = 1.0

    @property
    def batch_column(self) -> str:
        if self.kind == "between":
            return f"{self.column}__number"
        if self.kind == "in_vocabulary":
            return f"{self.column}__token"
        return self.column


def _not_null(*columns: str, mostly: float = 1.0) -> list[Rule]:
    return [Rule("not_null", c, mostly=mostly) for c in columns]


def _regex(pattern: str, *columns: str, mostly: float = 1.0) -> list[Rule]:
    return [Rule("regex", c, pattern, mostly) for c in columns]


def _in(column: str, *values: str, mostly: float = 1.0) -> list[Rule]:
    return [Rule("in_set", column, values, mostly)]


def _in_vocabulary(column: str, vocabulary: str, mostly: float = 1.0) -> list[Rule]:
    """The column's normalised token is in a seed vocabulary (blank cells count as missing)."""
    return [Rule("in_vocabulary", column, vocabulary, mostly)]


def _between(
    column: str, low: float | None, high: float | None = None, money: bool = False
) -> list[Rule]:
    """A range on the column read as a number (`money`: currency symbols and commas removed)."""
    return [Rule("between", column, (low, high, money))]


def suite_rules(table: str) -> list[Rule]:
    """The expectations of one raw table (empty for a table without a suite)."""
    rules: dict[str, list[Rule]] = {
        "mailchimp_members": [
            *_not_null("email_address", "euid"),
            *_regex(EMAIL, "email_address"),
            *_regex(MAILCHIMP_TIME, "optin_time", "confirm_time", "last_changed", "unsub_time"),
            *_regex(MAILCHIMP_TIME, "clean_time"),
            *_between("member_rating", 1, 5),
            *_in_vocabulary("_member_status", "mailchimp_member_status"),
        ],
        "mailchimp_email_activity": [
            *_not_null("campaign_id", "email_id", "action", "activity_at"),
            *_regex(EMAIL, "email_address"),
            *_in_vocabulary("action", "mailchimp_activity_action"),
            *_in_vocabulary("bounce_type", "mailchimp_bounce_type"),
            *_regex(ISO_TIMESTAMP, "activity_at"),
        ],
        "mailchimp_sent_to": [
            *_not_null("campaign_id", "email_id"),
            *_regex(EMAIL, "email_address"),
            *_in_vocabulary("status", "mailchimp_sent_to_status"),
            *_between("open_count", 0),
            *_regex(ISO_TIMESTAMP, "last_open"),
        ],
        "mailchimp_unsubscribes": [
            *_not_null("campaign_id", "email_id"),
            *_regex(EMAIL, "email_address"),
            *_regex(ISO_TIMESTAMP, "unsubscribed_at"),
        ],
        "shopify_orders": [
            *_not_null("id", "created_at", "total_price", "currency"),
            *_regex(NUMERIC_ID, "id", "customer__id"),
            *_regex(EMAIL, "email", "customer__email"),
            *_regex(ISO_TIMESTAMP, "created_at", "processed_at", "updated_at", "cancelled_at"),
            *_regex(MONEY, "total_price", "subtotal_price", "total_tax", "total_discounts"),
            *_in_vocabulary("currency", "currency"),
            *_in_vocabulary("financial_status", "shopify_financial_status"),
            *_between("total_price", 0, money=True),
        ],
        "shopify_order_line_items": [
            *_not_null("order_id", "id", "quantity", "price"),
            *_regex(INTEGER, "quantity"),
            *_between("quantity", 1, 10_000),
            *_regex(MONEY, "price"),
        ],
        "shopify_order_refunds": [
            *_not_null("order_id", "refund_id", "created_at"),
            *_regex(ISO_TIMESTAMP, "created_at"),
            *_regex(MONEY, "amount"),
        ],
        "shopify_products": [
            *_not_null("id", "variant_id", "title"),
            *_regex(MONEY, "price"),
        ],
        "shopify_customers": [
            *_not_null("customer_id"),
            *_regex(NUMERIC_ID, "customer_id"),
            *_regex(EMAIL, "email"),
            *_in_vocabulary("accepts_email_marketing", "yes_no"),
            *_in_vocabulary("accepts_sms_marketing", "yes_no"),
            *_regex(MONEY, "total_spent"),
            *_between("total_orders", 0),
        ],
        "shopify_web_events": [
            *_not_null("event_id", "event_name", "event_at"),
            *_not_null("client_id", mostly=0.99),
            *_in_vocabulary("event_name", "web_event_name"),
            *_regex(ISO_TIMESTAMP, "event_at"),
            *_between("seq", 0),
            *_regex(EMAIL, "checkout_email"),
            *_regex(MONEY, "checkout_total_amount", "product_price"),
            *_between("screen_width", 1, 20_000),
        ],
        "square_transactions": [
            *_not_null("date", "time", "time_zone", "transaction_id", "net_sales", "location"),
            *_regex(DATE, "date"),
            *_regex(TIME, "time"),
            *_in("time_zone", *_square_time_zones()),
            # The amounts staging reads for revenue (each regex costs a pass over the batch).
            *_regex(MONEY, "gross_sales", "net_sales", "total_collected"),
            *_in_vocabulary("event_type", "square_event_type"),
        ],
        "square_items": [
            *_not_null("date", "time", "time_zone", "item", "qty", "transaction_id"),
            *_regex(DATE, "date"),
            *_regex(TIME, "time"),
            *_in("time_zone", *_square_time_zones()),
            *_regex(DECIMAL, "qty"),
            *_regex(MONEY, "gross_sales", "net_sales"),
            *_in_vocabulary("event_type", "square_event_type"),
        ],
        "square_customers": [
            *_not_null("square_customer_id"),
            *_regex(EMAIL, "email_address"),
            *_regex(DATE, "first_visit", "last_visit"),
            *_in_vocabulary("email_subscription_status", "square_email_subscription_status"),
            *_between("transaction_count", 0),
            *_regex(MONEY, "total_spend"),
        ],
    }
    found = rules.get(table, [])
    if not _square_time_zones():
        found = [r for r in found if not (r.kind == "in_set" and not r.arg)]
    # Without the seed (a checkout without dbt_project/) there is no vocabulary to check on.
    return [r for r in found if not (r.kind == "in_vocabulary" and not tokens(r.arg))]


@dataclass
class ExpectationResult:
    """One expectation's outcome on one batch, summed over its chunks."""

    expectation: str
    column: str
    kwargs: dict
    mostly: float
    element_count: int = 0
    missing_count: int = 0
    unexpected_count: int = 0
    sample: list | None = None
    error: str = ""

    @property
    def success(self) -> bool:
        if self.error:
            return False
        considered = self.element_count - self.missing_count
        if considered <= 0:
            return True
        return self.unexpected_count <= (1 - self.mostly) * considered + 1e-9

    @property
    def unexpected_percent(self) -> float:
        considered = self.element_count - self.missing_count
        return 100.0 * self.unexpected_count / considered if considered > 0 else 0.0


def ensure_table(conn: duckdb.DuckDBPyConnection) -> None:
    create_table_if_missing(
        conn,
        RESULTS_TABLE,
        """
            run_at timestamp not null,
            source_table varchar not null,
            file_path varchar not null,
            file_sha256 varchar,
            expectation varchar not null,
            column_name varchar,
            kwargs varchar,
            success boolean not null,
            element_count bigint,
            unexpected_count bigint,
            unexpected_percent double,
            sample varchar
        """,
    )


def _expectation(rule: Rule):
    import great_expectations.expectations as gxe

    column = rule.batch_column
    if rule.kind == "not_null":
        return gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=rule.mostly)
    if rule.kind == "in_set":
        return gxe.ExpectColumnValuesToBeInSet(
            column=column, value_set=list(rule.arg), mostly=rule.mostly
        )
    if rule.kind == "in_vocabulary":
        return gxe.ExpectColumnValuesToBeInSet(
            column=column, value_set=list(tokens(rule.arg)), mostly=rule.mostly
        )
    if rule.kind == "regex":
        return gxe.ExpectColumnValuesToMatchRegex(column=column, regex=rule.arg, mostly=rule.mostly)
    low, high, _ = rule.arg
    return gxe.ExpectColumnValuesToBeBetween(
        column=column, min_value=low, max_value=high, mostly=rule.mostly
    )


@cache
def _validation_definition(table: str):
    """The table's suite bound to a whole-dataframe batch of an ephemeral GX context."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

    context = _context()
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_pandas(f"raw_{table}")
    batch = source.add_dataframe_asset(name=table).add_batch_definition_whole_dataframe("file")
    suite = context.suites.add(gx.ExpectationSuite(name=f"raw_{table}"))
    ids = [suite.add_expectation(_expectation(rule)).id for rule in suite_rules(table)]
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"raw_{table}_batch", data=batch, suite=suite)
    )
    return definition, ids


@cache
def _context():
    import great_expectations as gx

    return gx.get_context(mode="ephemeral")


def _batch_sql(table: str, rules: list[Rule], files: int) -> str:
    columns = []
    for rule in rules:
        if rule.kind == "between":
            text = (
                f"regexp_replace(\"{rule.column}\", '[^0-9.-]', '', 'g')"
                if rule.arg[2]
                else (f'trim("{rule.column}")')
            )
            columns.append(f'try_cast({text} as double) as "{rule.batch_column}"')
        elif rule.kind == "in_vocabulary":
            blank_to_null = f"nullif(trim(\"{rule.column}\"), '')"
            columns.append(f'{token_sql(blank_to_null)} as "{rule.batch_column}"')
        else:
            columns.append(f'"{rule.column}"')
    unique = list(dict.fromkeys([*columns, f'"{FILE_COLUMN}"']))
    placeholders = ", ".join("?" * files)
    return f"select {', '.join(unique)} from raw.{table} where {FILE_COLUMN} in ({placeholders})"


def validate_files(
    conn: duckdb.DuckDBPyConnection, table: str, source_files: list[str]
) -> dict[str, list[ExpectationResult]]:
    """Runs the table's suite once over the rows `source_files` just loaded into `raw.<table>`
    and returns each file's results.

    One Great Expectations run per table and run, not per file: a run's fixed cost is paid
    once however many daily files arrived. GX names the unexpected rows with their
    `_source_file` (`unexpected_index_column_names`), so every file still gets its own counts,
    samples and verdict, as if it had been validated alone.
    """
    rules = suite_rules(table)
    if not rules or not source_files:
        return {}
    per_file = {
        source_file: [
            ExpectationResult(
                _expectation_type(rule), rule.column, _kwargs(rule), rule.mostly, sample=[]
            )
            for rule in rules
        ]
        for source_file in source_files
    }
    try:
        definition, ids = _validation_definition(table)
        position = {expectation_id: i for i, expectation_id in enumerate(ids)}
        cursor = conn.execute(_batch_sql(table, rules, len(source_files)), source_files)
        while True:
            frame = cursor.fetch_df_chunk(max(1, CHUNK_ROWS // 2048))
            if frame.empty:
                break
            frame = _arrow_strings(frame)
            _count_elements(frame, rules, per_file)
            outcome = definition.run(
                batch_parameters={"dataframe": frame},
                result_format={
                    "result_format": "COMPLETE",
                    "unexpected_index_column_names": [FILE_COLUMN],
                    "return_unexpected_index_query": False,
                },
            )
            for result in outcome.results:  # GX orders results its own way: match by id
                _add_unexpected(position[result.expectation_config.id], result, rules, per_file)
    except Exception as exc:  # validation reports; it must never cost a load
        message = f"validation could not run: {type(exc).__name__}: {exc}"
        for results in per_file.values():
            for total in results:
                total.error = message.splitlines()[0][:500]
    return per_file


def _arrow_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as Arrow-backed strings: GX's regex and set checks then run in Arrow's C++
    kernels instead of a Python call per value (pandas 3 does this by default)."""
    text = {
        column: pd.StringDtype("pyarrow")
        for column, dtype in frame.dtypes.items()
        if pd.api.types.is_object_dtype(dtype) and column != FILE_COLUMN
    }
    return frame.astype(text) if text else frame


def _count_elements(
    frame: pd.DataFrame, rules: list[Rule], per_file: dict[str, list[ExpectationResult]]
) -> None:
    """Each file's rows, and its empty cells in the columns GX counts as missing (all but the
    not-null rule's), added to its results."""
    rows = frame.groupby(FILE_COLUMN).size()
    missing = frame.drop(columns=FILE_COLUMN).isna().groupby(frame[FILE_COLUMN]).sum()
    for source_file, count in rows.items():
        for rule, total in zip(rules, per_file[source_file], strict=True):
            total.element_count += int(count)
            if rule.kind != "not_null":
                total.missing_count += int(missing.at[source_file, rule.batch_column])


def _add_unexpected(
    index: int, result, rules: list[Rule], per_file: dict[str, list[ExpectationResult]]
) -> None:
    """GX's unexpected rows of one expectation, counted and sampled by the file they came from."""
    if result.exception_info and result.exception_info.get("raised_exception"):
        error = str(result.exception_info.get("exception_message", "error"))[:500]
        for results in per_file.values():
            results[index].error = error
        return
    column = rules[index].batch_column
    for row in (result.result or {}).get("unexpected_index_list") or []:
        total = per_file[row[FILE_COLUMN]][index]
        total.unexpected_count += 1
        if len(total.sample) < SAMPLE_SIZE:
            total.sample.append(_plain(row.get(column)))


def _plain(value: Any) -> Any:
    """A sampled value as JSON can store it (numpy scalars become Python's, NaN null)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _expectation_type(rule: Rule) -> str:
    return {
        "not_null": "expect_column_values_to_not_be_null",
        "in_set": "expect_column_values_to_be_in_set",
        "in_vocabulary": "expect_column_values_to_be_in_set",
        "regex": "expect_column_values_to_match_regex",
        "between": "expect_column_values_to_be_between",
    }[rule.kind]


def _kwargs(rule: Rule) -> dict:
    if rule.kind == "in_set":
        return {"value_set": list(rule.arg)}
    if rule.kind == "in_vocabulary":
        return {"vocabulary": rule.arg, "on": f"{rule.column} as normalised token"}
    if rule.kind == "regex":
        return {"regex": rule.arg}
    if rule.kind == "between":
        return {
            "min_value": rule.arg[0],
            "max_value": rule.arg[1],
            "on": f"{rule.column} as number",
        }
    return {}


def store_results(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    run_at: datetime,
    results_by_file: list[tuple[str, str, list[ExpectationResult]]],
) -> None:
    """Stores the results of every (file, sha256, results) in one insert."""
    rows = [
        (
            run_at,
            table,
            source_file,
            sha,
            r.expectation,
            r.column,
            json.dumps(r.kwargs | ({"mostly": r.mostly} if r.mostly < 1 else {})),
            r.success,
            r.element_count,
            r.unexpected_count,
            r.unexpected_percent,
            json.dumps(r.sample, default=str) if r.sample else r.error or None,
        )
        for source_file, sha, results in results_by_file
        for r in results
    ]
    if not rows:
        return
    names = [
        "run_at",
        "source_table",
        "file_path",
        "file_sha256",
        "expectation",
        "column_name",
        "kwargs",
        "success",
        "element_count",
        "unexpected_count",
        "unexpected_percent",
        "sample",
    ]
    frame = pa.Table.from_pylist([dict(zip(names, row, strict=True)) for row in rows])
    conn.register("cdp_validation_results_batch", frame)
    try:
        conn.execute(
            f"insert into {RESULTS_TABLE} by name select * from cdp_validation_results_batch"
        )
    finally:
        conn.unregister("cdp_validation_results_batch")


def summary(results: list[ExpectationResult]) -> str:
    """`2 of 9 expectations failed: …` for the manifest message, or '' when all passed."""
    failed = [r for r in results if not r.success]
    if not failed:
        return ""
    shown = ", ".join(
        f"{r.column} {r.expectation.removeprefix('expect_column_values_to_')} "
        f"({r.unexpected_count:,} rows)"
        for r in failed[:3]
    )
    more = f" and {len(failed) - 3} more" if len(failed) > 3 else ""
    return f"{len(failed)} of {len(results)} expectations failed: {shown}{more}"
