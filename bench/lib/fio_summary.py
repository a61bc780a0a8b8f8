# SPDX-License-Identifier: GPL-2.0-only
"""What the benchmarks keep of one fio job, and their ratios.

Imported by the benchmarks' summary steps (PYTHONPATH=bench/lib), so that
every benchmark's JSON names a job's figures the same way.
"""
import json


def job(path, side):
    """The first job of fio's JSON output at `path`, its `side` ("read" or
    "write"): IOPS, completion latency (mean, p50, p99, max) in µs, I/Os
    and fio's error."""
    data = json.load(open(path))["jobs"][0]
    s = data[side]
    clat = s["clat_ns"]
    pct = clat.get("percentile", {})
    return {
        "iops": round(s["iops"], 1),
        "clat_mean_us": round(clat["mean"] / 1000, 1),
        "clat_p50_us": round(pct.get("50.000000", 0) / 1000, 1),
        "clat_p99_us": round(pct.get("99.000000", 0) / 1000, 1),
        "clat_max_us": round(clat["max"] / 1000, 1),
        "ios": s["total_ios"],
        "errors": data.get("error", 0),
    }


def ratio(a, b):
    """a / b to three places; None when b is 0 (nothing to compare with)."""
    return round(a / b, 3) if b else None
