"""When the Spark tests run: `make test-spark` sets CDP_SPARK_TESTS=1 and installs PySpark and
dbt-spark; plain `make test` skips them. They need Java 17+: without it (or without the
packages) they skip, saying what to install, except in CI (CI=true), where they fail."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

INSTALL_JAVA = (
    "install a Java 17+ runtime (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`; "
    "macOS: `brew install openjdk@17`) or point JAVA_HOME at one"
)


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def spark_prerequisite_problem() -> str | None:
    """What is missing for the Spark tests, or None when everything is there."""
    java = _java()
    if java is None:
        return f"Java was not found: {INSTALL_JAVA}."
    try:
        result = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`{java} -version` failed ({exc}): {INSTALL_JAVA}."
    found = re.search(r'version "(?:1\.)?(\d+)', result.stderr + result.stdout)
    if result.returncode != 0 or found is None or int(found.group(1)) < 17:
        seen = found.group(0) if found else "no version"
        return f"Spark 4 needs Java 17 or later ({java} says {seen}): {INSTALL_JAVA}."
    for module, package in (("pyspark", "pyspark[connect]"), ("dbt.adapters.spark", "dbt-spark")):
        try:
            installed = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            installed = False
        if not installed:
            return f"{package} is not installed: run `make test-spark` (pip install -e '.[spark]')."
    return None


@pytest.fixture(scope="session")
def spark_ready() -> None:
    """Skips (fails in CI) unless the Spark tests were asked for and can run."""
    if os.environ.get("CDP_SPARK_TESTS") != "1":
        pytest.skip("Spark parity tests run with `make test-spark` (CDP_SPARK_TESTS=1)")
    problem = spark_prerequisite_problem()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run the Spark tests, but: {problem}", pytrace=False)
    pytest.skip(problem)
