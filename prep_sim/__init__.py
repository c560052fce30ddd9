"""The simulacro: a whole election night through the real processes (sync server,
CATD and CCV stations), with faults, checked against a known truth.

Never imported by the station or the server (import-linter)."""
