"""The benchmark (``efast-udp bench``): kernels beside their references, graph figures, local runs at scale."""

#: Timed rounds for the kernels (each well under 0.1 s). Kernels run interleaved, one round after
#: another, so that on a shared VM whose speed drifts from second to second every kernel samples
#: the same periods; 15 rounds spread each median over a couple of seconds.
RUNS = 15
