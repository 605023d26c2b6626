"""Occupied histogram classes of a lognormal latency after 10 k and 10 M samples (numpy).

Compares slaprof's histogram (every class at HdrHistogram's 3 significant digits) with variants that keep 3 digits
only between two percentiles and 2 digits outside: the figures behind the state-growth discussion in
docs/PERFORMANCE.md. Run: python3 bench/state_tails.py
"""
import numpy as np


def index(values, magnitude):
    """HdrHistogram counts-array index (lowest value 1) with 2^(magnitude+1) sub-buckets."""
    v = np.maximum(1, values.astype(np.int64))
    mask = (2 << magnitude) - 1
    leading_zeros = 63 - np.floor(np.log2(v | mask)).astype(np.int64)
    bucket = (64 - (magnitude + 1)) - leading_zeros
    sub = v >> bucket
    return ((bucket + 1) << magnitude) + (sub - (1 << magnitude))


def occupied(values, lo_pct=None, hi_pct=None):
    if lo_pct is None:
        return np.unique(index(values, 10)).size
    lo, hi = np.percentile(values, [lo_pct, hi_pct])
    core = (values >= lo) & (values <= hi)
    return np.unique(index(values[core], 10)).size + np.unique(index(values[~core], 7)).size


rng = np.random.default_rng(3)
print("latency  samples     3 digits  2 outside p0.1-p99.9  2 outside p1-p99")
for base_us in (50_000, 10_000):
    for n in (10_000, 10_000_000):
        v = np.round(base_us * np.exp(0.05 * rng.standard_normal(n))).astype(np.int64)
        print(f"{base_us / 1000:4.0f} ms  {n:>10,}  {occupied(v):8d}  {occupied(v, 0.1, 99.9):20d}"
              f"  {occupied(v, 1, 99):16d}")
