"""Run notebook kernels with one BLAS thread, set in the environment they inherit.

The notebooks multiply small matrices: threads gain nothing, and OpenBLAS threads spin
while they wait, so on a shared two-core machine a notebook ran ten times slower with them.
A variable already set (make test sets them) is left alone.
"""

import os

VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def on_config(config):
    for name in VARIABLES:
        os.environ.setdefault(name, "1")
    return config
