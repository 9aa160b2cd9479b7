"""The probabilistic matcher on its own: which pairs blocking compares, how the saved model's
prior adapts to the data, and the explanation of a pair."""

from __future__ import annotations

import json
import math
import random

import pyarrow as pa
import pytest

from cdp.matching.comparisons import RECORD_COLUMNS
from cdp.matching.explanation import parse_explanation
from cdp.matching.model import DEFAULT_MODEL_PATH, load_model, splink_settings_for
from cdp.matching.scoring import predict_pairs

BASE = {column: None for column in RECORD_COLUMNS}


def record(key: str, **fields: str) -> dict:
    row = {**BASE, "record_key": key, **fields}
    if row["email"]:
        row["email_local"] = row["email"].split("@")[0]
    if row["phone"]:
        row["phone_last7"] = row["phone"][-7:]
    return row


def filler(count: int, seed: int = 3) -> list[dict]:
    """People who share nothing with each other or with the records under test."""
    rng = random.Random(seed)
    letters = "bcdfghjklmnprstvwz"

    def word(length: int) -> str:
        return "".join(rng.choice(letters) + rng.choice("aeiou") for _ in range(length))

    return [
        record(
            f"z{i:05d}",
            first_name=word(3),
            last_name=word(4),
            street_number=str(1000 + i),
            street_name=word(3) + " st",
            city=word(3),
            postcode=f"{10000 + i}",
            email=f"{word(5)}{i}@example.org",
            phone=f"+1415{5000000 + i:07d}",
        )
        for i in range(count)
    ]


def compared_pairs(rows: list[dict]) -> set[tuple[str, str]]:
    """Every pair blocking hands to the comparisons (floor 0 keeps every scored pair)."""
    table = pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in RECORD_COLUMNS]))
    pairs = predict_pairs(table, load_model(DEFAULT_MODEL_PATH), floor=0.0)
    return set(
        zip(pairs["record_key_l"].to_pylist(), pairs["record_key_r"].to_pylist(), strict=True)
    )


@pytest.fixture(scope="module")
def blocked() -> set[tuple[str, str]]:
    rows = filler(2000) + [
        # postcode + last-name initial
        record("a1", first_name="ann", last_name="lee", postcode="94110"),
        record("a2", first_name="anne", last_name="lea", postcode="94110"),
        # birth date + last-name initial (no postcode on one side)
        record("b1", first_name="bob", last_name="ray", birth_date="1980-02-03"),
        record("b2", first_name="rob", last_name="roy", birth_date="1980-02-03", postcode="1"),
        # the phone's last 7 digits (a different area code typed at the till)
        record("c1", first_name="cy", last_name="cole", phone="+14155550123"),
        record("c2", first_name="cyril", last_name="kole", phone="+16505550123"),
        # the email's local part at another domain
        record("d1", first_name="dee", last_name="dunn", email="dee.dunn@gmail.com"),
        record("d2", first_name="d", last_name="dunne", email="dee.dunn@work.com"),
        # last name + first initial in one city
        record("e1", first_name="eve", last_name="zbinden", city="bern"),
        record("e2", first_name="eva", last_name="zbinden", city="bern", postcode="3000"),
        # the same full name, nothing else in common
        record("h1", first_name="hana", last_name="quist", city="oslo"),
        record("h2", first_name="hana", last_name="quist", postcode="0150"),
        # postcode + street number (the last name lost its first letter)
        record("i1", first_name="ivo", last_name="petrov", postcode="10115", street_number="7"),
        record("i2", first_name="yvo", last_name="etrov", postcode="10115", street_number="7"),
        # given and family names swapped
        record("f1", first_name="jacob", last_name="white"),
        record("f2", first_name="white", last_name="jacob"),
        # nothing in common
        record("g1", first_name="gil", last_name="gray", postcode="02139"),
        record("g2", first_name="hal", last_name="hart", postcode="60601"),
    ]
    return compared_pairs(rows)


@pytest.mark.parametrize(
    "pair",
    [
        ("a1", "a2"),
        ("b1", "b2"),
        ("c1", "c2"),
        ("d1", "d2"),
        ("e1", "e2"),
        ("f1", "f2"),
        ("h1", "h2"),
        ("i1", "i2"),
    ],
)
def test_blocking_compares_records_that_share_a_blocking_key(blocked, pair) -> None:
    assert pair in blocked


def test_blocking_skips_records_that_share_nothing(blocked) -> None:
    assert ("g1", "g2") not in blocked
    assert not any(pair[0].startswith("g") and pair[1].startswith("g") for pair in blocked)


def test_blocking_keeps_the_pair_count_linear(blocked) -> None:
    # 2,018 records are 2.0 million possible pairs; blocking compares a handful per record.
    assert len(blocked) < 2 * 2018


def test_the_prior_follows_the_number_of_records() -> None:
    model = load_model(DEFAULT_MODEL_PATH)
    trained_on = model["cdp"]["records"]
    same = splink_settings_for(model, trained_on)
    ten_times = splink_settings_for(model, 10 * trained_on)
    assert same["probability_two_random_records_match"] == pytest.approx(
        model["probability_two_random_records_match"]
    )
    assert ten_times["probability_two_random_records_match"] == pytest.approx(
        model["probability_two_random_records_match"] * (trained_on - 1) / (10 * trained_on - 1)
    )
    assert "cdp" not in ten_times


def test_a_pairs_explanation_adds_up_to_its_match_weight() -> None:
    rows = filler(300) + [
        record("p1", first_name="maria", last_name="okafor", street_number="12",
               street_name="oak st", postcode="94110", city="san francisco",
               phone="+14155550199"),
        record("p2", first_name="maria", last_name="okafor", street_number="12",
               street_name="oak street", postcode="94110", city="san francisco",
               email="m.okafor@work.com"),
    ]  # fmt: skip
    table = pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in RECORD_COLUMNS]))
    model = load_model(DEFAULT_MODEL_PATH)
    pairs = predict_pairs(table, model, floor=0.5).to_pylist()
    [pair] = [p for p in pairs if (p["record_key_l"], p["record_key_r"]) == ("p1", "p2")]
    levels = parse_explanation(pair["comparison_levels"])
    assert [name for name, _, _ in levels] == [
        c["output_column_name"] for c in model["comparisons"]
    ]
    assert dict((n, label) for n, label, _ in levels)["last_name"].startswith("Exact match")
    prior = splink_settings_for(model, len(rows))["probability_two_random_records_match"]
    prior_weight = math.log2(prior / (1 - prior))
    # The words round each weight to 0.1 bit.
    assert sum(w for _, _, w in levels) + prior_weight == pytest.approx(
        pair["match_weight"], abs=0.05 * len(levels) + 1e-6
    )
    assert pair["non_name_weight"] > 0


def test_the_shipped_model_is_a_splink_model_with_its_training_size() -> None:
    model = json.loads(DEFAULT_MODEL_PATH.read_text())
    assert model["cdp"]["records"] > 1000
    assert {c["output_column_name"] for c in model["comparisons"]} >= {
        "first_name", "last_name", "birthday", "postcode", "email", "phone"
    }  # fmt: skip
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                assert 0 < level["m_probability"] <= 1 and 0 < level["u_probability"] <= 1
