"""Runtime hook of the bundles (prep.spec): runs before any of the project's code."""

import ctypes.util
import os
import sys

# the packages are shipped as source (their hashes are the code hash): never write
# __pycache__ beside them
sys.dont_write_bytecode = True

_find_library = ctypes.util.find_library
_BUNDLED = {"zbar": "libzbar.so.0"}  # pyzbar finds zbar with find_library only


def _find_bundled(name):
    path = os.path.join(sys._MEIPASS, _BUNDLED.get(name, ""))
    return path if name in _BUNDLED and os.path.isfile(path) else _find_library(name)


ctypes.util.find_library = _find_bundled
