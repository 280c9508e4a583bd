"""Build-time helpers shared by pages (not reader-facing code)."""
