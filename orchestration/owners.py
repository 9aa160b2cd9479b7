"""Whom to ask about an asset: the Dagster owners of the Python assets. The dbt models name the
same teams in their `meta.owner` (dbt_project/dbt_project.yml)."""

DATA_PLATFORM = "team:data-platform"
"""Loading, identity, profiles, CRM marts and predictions."""

MARKETING_OPS = "team:marketing-ops"
"""The segments' rules and the audience files sent to marketing tools."""
