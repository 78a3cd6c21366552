"""The EFAST chain as openEO graph building, one module per algorithm stage.

loading -> cloud_masks -> distance_score -> compositing -> interpolation -> fusion.
Each stage function takes the Pipeline (node registry), the UDP parameters and its input
cubes, and returns its output cube; the numerical kernels live in ``efast_udp.udfs``.
"""
