"""KOTAN project package; loads the Celery app so shared tasks bind to it, and keeps numpy's BLAS to one
thread per process.

One BLAS thread: the processes (Celery workers, web workers) are the parallelism. OpenBLAS's own threads
busy-wait between the bootstrap's many small matrix products (scoring.intervals) and fight the process
for the cores: on this 2-core machine the bootstrap of 514 kab/kota took about four times as long with
them. Set before anything imports numpy (OpenBLAS reads it once, when it loads); an operator's own value
wins.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .celery import app as celery_app

__all__ = ("celery_app",)
