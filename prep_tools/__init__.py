"""Tools around the runtime: test-deck generation, benchmarks and model training.

Nothing the station or the server runs imports this package (import-linter checks it).
Data from outside the repository (handwriting fonts, INE's PDF forms) is named by the
``PREP_SHARED`` environment variable: see :mod:`prep_tools.shared`.
"""
