"""Demonstration data: the BCS 2024 demo catalog, synthetic catalogs of any size and a
simulated election night (signed events of CATD and CCV stations). Pure Python on
:mod:`prep_core`; used by ``prep demo``, ``prep simulate``, the benchmarks and the tests,
never by the station or the server themselves."""
