"""Offline build (OFFLINE=true): make the copy work from file:// with no network.

Material's offline plugin adds a CDN URL for the iframe-worker shim: serve it from the
site itself. Instant navigation fetches pages and the sitemap, which file:// forbids.
"""

from pathlib import Path

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
SHIM = ROOT / "node_modules" / "iframe-worker" / "shim" / "index.js"
LOCAL = "assets/iframe-worker/shim.js"


def offline(config) -> bool:
    plugin = config.plugins.get("material/offline")
    return bool(plugin and plugin.config.enabled)


def on_config(config):
    if offline(config):
        polyfills = config.extra.get("polyfills", [])
        config.extra["polyfills"] = [LOCAL if "iframe-worker" in url else url for url in polyfills]
        features = config.theme["features"]
        config.theme["features"] = [f for f in features if f != "navigation.instant"]
    return config


def on_files(files: Files, config) -> Files:
    if offline(config):
        files.append(File.generated(config, LOCAL, abs_src_path=str(SHIM)))
    return files
