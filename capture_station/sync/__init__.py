"""Sync with the server: HTTP (requests) in a background thread, and USB files."""
