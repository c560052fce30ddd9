"""PREP domain core: catalog, acta identity, field values, counting rules,
figures of a cut, the published database, and the signed event format.

This package does no I/O (files are read and written by :mod:`prep_io`) and imports no
Qt, SQL or HTTP library; the capture station and the sync server both build on it.
"""

__version__ = "0.1.0"
