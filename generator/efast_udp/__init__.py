"""efast-udp: the static generator and publisher of the EFAST openEO user-defined process.

EFAST (Senty et al. 2024, Remote Sensing 16:1833, https://doi.org/10.3390/rs16111833) fuses
Sentinel-2 and Sentinel-3 time series. This package renders the whole algorithm, UDF sources
included, into a versioned openEO process definition (``udp/``), offline and reproducibly.
"""
