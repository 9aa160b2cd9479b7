"""Right to be forgotten (`cdp forget`): erase a person and keep them out of later loads.

What an identifier is comes from the dbt project, never a second copy here: which columns hold
which identifier type is the column `meta.identifier_type` in the dbt YAML, read from the
manifest (`identifier_columns`), and raw values are normalised by the functions the dbt macros
are checked against (`cdp.core.identifier_hygiene`, through `identifiers`).

Modules, one job each:
- `identifiers`: a user's input as an identifier, the `<type>:<value>` key, the tombstone hash,
  the SQL normalising a raw column.
- `identifier_columns`: where identifiers live (the manifest's column meta).
- `erasure`: `forget_identifier`, the whole erasure in the caller's transaction.
- `raw_tables`: deleting raw rows, orders' children, keeping the ingestion manifest reconciled.
- `dbt_tables`: deleting the person's rows from every dbt-built table.
- `tombstones`: `meta.tombstones`, hashes of the erased identifiers.
- `reimport`: `drop_tombstoned_rows`, the loader's hook keeping forgotten people out.
- `report`: `ForgetReport`, what one erasure deleted.
"""
