"""Probabilistic matching: the people exact identifiers cannot link (docs/identity.md,
"Probabilistic matching").

Splink (Fellegi–Sunter) scores pairs of person-like records (`int_identity_candidate_records`)
on names, address, birthday, email and phone. The model — blocking rules, comparisons and the
m / u parameters estimated without labels — is a versioned JSON file (`model.json` beside this
module, or `CDP_MATCH_MODEL`); `cdp match train` re-estimates it on purpose, never a run. Each
run scores the current records with it (`scoring.py`) and writes the pairs to
`identity_matching.record_pairs`; dbt turns the pairs above the threshold into links between
people, inside every identity guard (`int_identity_probabilistic_links`).

Modules: `comparisons` (the Splink settings), `records` (reading the candidate records),
`model` (loading, saving, the prior for the data at hand), `training`, `scoring`,
`explanation` (comparison levels and weights in words).
"""
