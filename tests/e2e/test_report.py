"""`cdp report` on the shared demo runs, opened in a real headless Chromium with no network:
every chart is drawn, as many as the page declares, and the browser logs no error.

Chromium is the system one (`apt-get install chromium`), driven by Playwright for Python: no
`playwright install` download. Without Chromium the browser test skips, unless
CDP_REQUIRE_BROWSER=1 (CI sets it: .ci/run), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from cdp.report.charts import SPECS
from tests.e2e.conftest import DemoRuns

# Plotly draws each trace's bars, markers and lines as paths inside a `.trace` group, and a
# heatmap as an image inside `.hm`; a chart with no mark of some area on screen (a bar of 0 has
# none) drew only its axes.
VISIBLE_MARKS = """
() => Object.fromEntries([...document.querySelectorAll('[data-chart]')].map(chart => [
    chart.dataset.chart,
    [...chart.querySelectorAll('.main-svg .trace path, .main-svg .hm image')]
        .filter(mark => {
            const box = mark.getBoundingClientRect();
            return box.width > 0 && box.height > 0;
        })
        .length,
]))
"""


def _chromium() -> str:
    """The system Chromium, or a skip (a failure under CDP_REQUIRE_BROWSER=1)."""
    required = os.environ.get("CDP_REQUIRE_BROWSER") == "1"
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright for Python (pip install playwright)")
    executable = shutil.which("chromium")
    if executable is None:
        missing.append("Chromium (apt-get install -y chromium)")
    if missing:
        reason = f"the browser test needs {' and '.join(missing)}"
        if required:
            pytest.fail(f"CDP_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return executable


def test_each_run_refreshes_the_report(demo_runs: DemoRuns) -> None:
    # Written by the Dagster asset after the exports, where `cdp run` says.
    report = demo_runs.env.exports / "report" / "cdp_report.html"
    assert str(report) in demo_runs.second_stdout.replace("\n", "")
    page = report.read_text()
    assert int(re.search(r'data-chart-count="(\d+)"', page).group(1)) >= 10


def test_report_opens_offline_in_chromium(demo_runs: DemoRuns, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    out = tmp_path / "shared" / "report.html"
    result = demo_runs.env.cdp("report", "--out", str(out))
    assert str(out) in result.stdout.replace("\n", "")

    problems: list[str] = []
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on(
                "console",
                lambda message: (
                    problems.append(f"console {message.type}: {message.text}")
                    if message.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

            def offline(route) -> None:
                if route.request.url.startswith("file://"):
                    route.continue_()
                else:
                    requested.append(route.request.url)
                    route.abort()

            page.route("**/*", offline)
            page.goto(out.as_uri())
            declared = int(page.get_attribute("body", "data-chart-count"))
            page.wait_for_function(
                "n => [...document.querySelectorAll('[data-chart]')]"
                ".filter(c => c.querySelector('.main-svg')).length === n",
                arg=declared,
                timeout=30_000,
            )
            charts = page.query_selector_all("[data-chart]")
            marks = page.evaluate(VISIBLE_MARKS)
            empty_panels = page.query_selector_all("[data-empty]")
        finally:
            browser.close()

    assert declared >= 10 and len(charts) == declared
    assert all(count > 0 for count in marks.values()), marks
    # Every panel is a chart or says "no data yet": the page shows all of them.
    assert len(charts) + len(empty_panels) == len(SPECS)
    assert problems == []
    assert requested == []


def test_a_missing_browser_skips_unless_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CDP_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        _chromium()
    monkeypatch.setenv("CDP_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="CDP_REQUIRE_BROWSER=1 but"):
        _chromium()
