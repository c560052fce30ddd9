"""The public site generated with each cut (docs/SERVER.md, "The public site")."""
