"""The EFAST demo: a synthetic scene with known truth, a plain-numpy oracle of the paper's
equations, metrics and quicklooks (``efast-udp demo``)."""
