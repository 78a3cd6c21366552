"""Running the EFAST UDP locally (``efast-udp run``, ``demo``): the EFAST-specific side.

The executor itself is the separate package ``openeo_cdse_local`` (generic openEO on dask with
the CDSE back-end's data semantics). Here: what a run of *this* UDP adds around it — progress
bars (``progress``), the explanation of an empty result, CF provenance and band attributes of
the outputs (``runner``), and the RGB/NDVI quicklooks (``quicklooks``).
"""
