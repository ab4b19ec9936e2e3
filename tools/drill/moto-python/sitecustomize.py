"""Loaded by the moto_server processes that tools/drill/moto.ts starts (it puts this folder on PYTHONPATH).

moto routes every request by first checking whether the host names one of its modules, and lists its package
directory to know them (moto/backends.py, list_of_moto_modules: some 150 stat calls per request). The listing
cannot change while the server runs, so it is taken once. This halves moto's CPU per request in the tests
(docs/testing.md#speed) and changes nothing it answers.
"""

import functools

try:
    import moto.backends as _backends
except ImportError:  # a Python without moto: nothing to speed up
    pass
else:
    _backends.list_of_moto_modules = functools.cache(lambda _list=_backends.list_of_moto_modules: tuple(_list()))
