"""Offline build (OFFLINE=true): serve the iframe-worker shim that Material's offline
plugin needs from the site itself instead of the CDN URL the plugin adds."""

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
    return config


def on_files(files: Files, config) -> Files:
    if offline(config):
        files.append(File.generated(config, LOCAL, abs_src_path=str(SHIM)))
    return files
