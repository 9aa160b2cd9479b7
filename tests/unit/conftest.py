"""Fixtures shared by the unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdp.core.dbt_paths import DBT_MANIFEST_PATH


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """The manifest of the dbt project as it is in this checkout, parsed once per session: a
    manifest left by an older checkout (or a run on another branch) would describe other
    columns."""
    from orchestration.dbt_project import prepare_manifest

    prepare_manifest()
    return DBT_MANIFEST_PATH
