"""The ``prep`` command: admin, batch and benchmark commands."""
