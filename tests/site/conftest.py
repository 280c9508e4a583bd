"""The built site, shared by the build and browser tests (one build per test run)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools.browser import CHROMIUM, launch, serve

ROOT = Path(__file__).resolve().parents[2]


def mkdocs_build(config_file: Path, site_dir: Path, **env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", config_file, "-d", site_dir],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,  # mkdocs.yml's jieba dictionary path is relative to the repo root
        check=False,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(ROOT / "mkdocs.yml", site)
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.stderr[-5000:]}")
    return site


@pytest.fixture(scope="session")
def offline_site(tmp_path_factory) -> Path:
    """The OFFLINE=true build, meant to be opened from file://."""
    site = tmp_path_factory.mktemp("offline-site")
    # Notebooks are executed by the main build's tests; here only file:// matters.
    result = mkdocs_build(ROOT / "mkdocs.yml", site, OFFLINE="true", EXECUTE_NOTEBOOKS="false")
    if result.returncode != 0:
        pytest.fail(f"offline build failed:\n{result.stderr[-5000:]}")
    return site


@pytest.fixture(scope="session")
def site_url(built_site: Path):
    """Serve the built site on 127.0.0.1 for the browser tests."""
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install chromium` to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()
