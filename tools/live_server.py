"""`mkdocs serve` on a copy of the project: what the live-reload test and benchmark edit."""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def copy_project(destination: Path) -> Path:
    """Copy the working tree as it is (tracked and new files, not ignored ones) with its git
    history (page dates) and build cache; link node_modules. Returns the copy's mkdocs.yml."""
    destination.mkdir(parents=True, exist_ok=True)
    git = ["git", "-C", str(ROOT)]
    subprocess.run(
        ["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(destination / "clone")],
        check=True,
    )
    (destination / "clone" / ".git").rename(destination / ".git")
    (destination / "clone").rmdir()
    listed = subprocess.run(
        [*git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    (destination / "node_modules").symlink_to(ROOT / "node_modules")
    if (ROOT / ".cache").is_dir():
        shutil.copytree(ROOT / ".cache", destination / ".cache")
    return destination / "mkdocs.yml"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_url(config_file: Path) -> str:
    for line in config_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("site_url:"):
            return line.split(":", 1)[1].strip()
    return ""


def site_path(config_file: Path) -> str:
    """The path MkDocs serves the site under: that of site_url (/dl-interview-notes/)."""
    return urlsplit(site_url(config_file)).path or "/"


@contextlib.contextmanager
def serving(config_file: Path, *options: str, timeout: float = 180) -> Iterator[str]:
    """Run `mkdocs serve` for config_file on a free loopback port; yield the site's URL once
    the first build is served. The server's log is in serve.log next to config_file."""
    project = config_file.parent
    port = free_port()
    log = (project / "serve.log").open("w", encoding="utf-8")
    command = [sys.executable, "-m", "mkdocs", "serve", "-f", str(config_file)]
    process = subprocess.Popen(
        [*command, "--dev-addr", f"127.0.0.1:{port}", *options],
        cwd=project,  # mkdocs.yml's jieba dictionary path is relative to the working directory
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}{site_path(config_file)}"
    try:
        deadline = time.monotonic() + timeout
        while True:  # the server listens once the first build is done
            if process.poll() is not None:
                raise RuntimeError(f"mkdocs serve exited:\n{read_log(project)}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"mkdocs serve did not start:\n{read_log(project)}")
            try:
                fetch(url)
                break
            except urllib.error.HTTPError:
                break  # it answers (a site without a home page answers 404)
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGINT)  # a clean shutdown removes its site directory
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def read_log(project: Path) -> str:
    return (project / "serve.log").read_text(encoding="utf-8")[-5000:]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read().decode("utf-8")


def wait_for_text(url: str, text: str, timeout: float) -> float:
    """The time (time.monotonic) at which the page at url first contains text, polled every
    20 ms. The server holds requests while it rebuilds: the first page with the text is
    what a browser reloaded at the end of that rebuild shows."""
    start = time.monotonic()
    while True:
        with contextlib.suppress(urllib.error.URLError):
            if text in fetch(url):
                return time.monotonic()
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"{text!r} not on {url} after {timeout} s")
        time.sleep(0.02)


LIVERELOAD_SCRIPT = re.compile(r"<script>\s*var livereload = function.*?</script>", re.DOTALL)


def as_built(served: str, url: str, config_file: Path) -> str:
    """A page as `mkdocs serve` sends it, as `mkdocs build` writes it: without the reload
    script, with site_url where the server put its own address."""
    base = url[: url.index("/", len("http://"))] + site_path(config_file)
    return LIVERELOAD_SCRIPT.sub("", served).replace(base, site_url(config_file))
