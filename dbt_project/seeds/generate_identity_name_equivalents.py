"""Writes seeds/identity_name_equivalents.csv from the `nicknames` package.

The package (https://github.com/carltonnorthern/nicknames, Apache-2.0) ships a hand-curated
list of English given names and their nicknames (`william has_nickname bill`). Each
canonical/nickname relation becomes one row, the two names in alphabetical order, so the
identity guard finds a pair with one equality join. Only the listed relations are used, not
their transitive closure: `bill` and `bob` are both listed for `robert`, but two people called
Bill and Bob on one phone are not taken for one person on that ground.

Run it again after upgrading the package (it is not a runtime dependency):

    pip install nicknames && python dbt_project/seeds/generate_identity_name_equivalents.py
"""

from __future__ import annotations

import csv
from importlib.metadata import version
from pathlib import Path

from nicknames import name_triplets

OUT = Path(__file__).with_name("identity_name_equivalents.csv")


def main() -> None:
    pairs = {
        tuple(sorted((t.name1.strip().lower(), t.name2.strip().lower())))
        for t in name_triplets()
        if t.relationship == "has_nickname" and t.name1.strip() and t.name2.strip()
    }
    pairs = {pair for pair in pairs if pair[0] != pair[1]}
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["name", "equivalent_name"])
        writer.writerows(sorted(pairs))
    print(f"{OUT}: {len(pairs)} pairs from nicknames {version('nicknames')}")


if __name__ == "__main__":
    main()
