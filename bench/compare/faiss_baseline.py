#!/usr/bin/python3
"""FAISS baseline on a TEXMEX dataset folder, writing the same JSON rows as `VectorDb.Harness search`.

Runs single-threaded, one query per call (as the harness does), so QPS and p50/p99 are per-query figures.
Debian's python3-faiss 1.7.3 is a generic (non-SIMD-specialised) build: trust its recall, not its speed.

usage: faiss_baseline.py --data DIR [--metric ip|l2] [--queries N] [--json FILE] [--only NAME,...]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import faiss


def read_vecs(path, dtype):
    raw = np.fromfile(path, dtype=np.int32)
    dim = raw[0]
    rows = raw.reshape(-1, dim + 1)
    assert (rows[:, 0] == dim).all(), f"{path}: rows disagree on the dimension"
    return rows[:, 1:].copy().view(dtype)


def recall_rows(found, truth):
    """recall@10, recall 1@10, recall 1@100 (found holds 100 ids per query, best first)."""
    r10 = np.mean([len(set(found[q, :10]) & set(truth[q, :10])) / 10.0 for q in range(len(truth))])
    r1_10 = np.mean([truth[q, 0] in found[q, :10] for q in range(len(truth))])
    r1_100 = np.mean([truth[q, 0] in found[q, :100] for q in range(len(truth))])
    return float(r10), float(r1_10), float(r1_100)


def measure(index, queries, truth, params=None):
    """Times one query at a time for k = 10 (QPS, p50, p99, recall@10, recall 1@10); recall 1@100 comes from a
    separate untimed k = 100 pass, so the timing is that of a top-10 search."""
    if params is not None:
        for name, value in params.items():
            faiss.ParameterSpace().set_index_parameter(index, name, value)
    found = np.full((len(queries), 100), -1, dtype=np.int64)
    latencies = np.empty(len(queries))
    start = time.perf_counter()
    for q in range(len(queries)):
        t0 = time.perf_counter()
        _, ids = index.search(queries[q:q + 1], 10)
        latencies[q] = time.perf_counter() - t0
        found[q, :10] = ids[0]
    total = time.perf_counter() - start
    _, ids100 = index.search(queries, 100)
    r10, r1_10, _ = recall_rows(found, truth)
    r1_100 = float(np.mean([truth[q, 0] in ids100[q] for q in range(len(truth))]))
    return {
        "recall_at_10": r10, "recall_1_at_10": r1_10, "recall_1_at_100": r1_100,
        "qps": len(queries) / total,
        "p50_ms": float(np.percentile(latencies, 50) * 1e3),
        "p99_ms": float(np.percentile(latencies, 99) * 1e3),
    }


def configs(d, n):
    """(name, factory string, bytes per vector, index kind, list of (nprobe/ef label, params))."""
    def divisor_near(target):
        best = 1
        for m in range(1, d + 1):
            if d % m == 0 and abs(m - target) < abs(best - target):
                best = m
        return best

    # Matching bytes per vector: our b-bit codes take b·d/8 bytes (+ 8 to 12 bytes of float metadata), so every
    # PQ below is sized to b ∈ {4, 2, 1} bits per coordinate: 4-bit fast-scan sub-quantizers over 1, 2 or 4
    # coordinates, 8-bit (256-centroid) sub-quantizers over 2, 4 or 8 coordinates.
    m4 = divisor_near(d)          # 4-bit sub-quantizers, one per coordinate -> 4 bits/coord
    m2 = divisor_near(d // 2)     # 4-bit sub-quantizers over pairs -> 2 bits/coord
    m1 = divisor_near(d // 4)     # 4-bit sub-quantizers over 4 coordinates -> 1 bit/coord
    p4 = divisor_near(d // 2)     # 8-bit sub-quantizers over pairs -> 4 bits/coord
    p2 = divisor_near(d // 4)     # 8-bit over 4 coordinates -> 2 bits/coord
    p1 = divisor_near(d // 8)     # 8-bit over 8 coordinates -> 1 bit/coord
    nlist = 1 << max(4, round(np.log2(4 * np.sqrt(n))))  # about 4·sqrt(n), a power of two
    # Cheapest first, so that a run cut short on a loaded machine still has the fast-scan, graph and IVF rows: the
    # exhaustive SQ scans and the 8-bit PQs (256-centroid k-means per sub-quantizer) are slow in this build.
    rows = [
        (f"faiss-PQ{m4}x4fs", f"PQ{m4}x4fs", (m4 + 1) // 2, "flat", [(None, None)]),
        (f"faiss-PQ{m2}x4fs", f"PQ{m2}x4fs", (m2 + 1) // 2, "flat", [(None, None)]),
        (f"faiss-PQ{m1}x4fs", f"PQ{m1}x4fs", (m1 + 1) // 2, "flat", [(None, None)]),
        ("faiss-HNSW32", "HNSW32", 4 * d + 32 * 2 * 4, "hnsw",
         [(ef, {"efSearch": ef}) for ef in (16, 32, 64, 128, 256)]),
        (f"faiss-IVF{nlist},PQ{m2}x4fs", f"IVF{nlist},PQ{m2}x4fs", (m2 + 1) // 2, "ivf",
         [(p, {"nprobe": p}) for p in (16, 64)]),
        (f"faiss-IVF{nlist},PQ{m2}x4fs,Refine(Flat)", f"IVF{nlist},PQ{m2}x4fs,RFlat", (m2 + 1) // 2 + 4 * d, "ivf",
         [(p, {"nprobe": p, "k_factor_rf": 10}) for p in (1, 4, 16, 64, 256)]),
        ("faiss-Flat", "Flat", 4 * d, "flat", [(None, None)]),
        ("faiss-SQ4", "SQ4", (d + 1) // 2, "flat", [(None, None)]),
        ("faiss-SQ8", "SQ8", d, "flat", [(None, None)]),
        (f"faiss-PQ{p4}", f"PQ{p4}", p4, "flat", [(None, None)]),
        (f"faiss-PQ{p2}", f"PQ{p2}", p2, "flat", [(None, None)]),
        (f"faiss-PQ{p1}", f"PQ{p1}", p1, "flat", [(None, None)]),
    ]
    return rows


def write_report(path, name, d, xb, xq, rows):
    if path:
        report = {"dataset": name, "dim": int(d), "n_base": int(len(xb)), "n_query": int(len(xq)),
                  "engine": f"faiss {faiss.__version__} (Debian build)", "rows": rows}
        with open(path + ".tmp", "w") as f:
            json.dump(report, f, indent=1)
        os.replace(path + ".tmp", path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--metric", choices=["ip", "l2"], default=None,
                        help="default: l2 for *-euclidean folders, else ip")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--json")
    parser.add_argument("--only", help="comma-separated substrings of config names to run")
    args = parser.parse_args()

    faiss.omp_set_num_threads(1)
    name = os.path.basename(os.path.normpath(args.data))
    metric = args.metric or ("l2" if "euclidean" in name else "ip")
    xb = read_vecs(os.path.join(args.data, "base.fvecs"), np.float32)
    xq = read_vecs(os.path.join(args.data, "query.fvecs"), np.float32)[: args.queries]
    gt = read_vecs(os.path.join(args.data, "groundtruth.ivecs"), np.int32)[: len(xq)]
    d = xb.shape[1]
    faiss_metric = faiss.METRIC_INNER_PRODUCT if metric == "ip" else faiss.METRIC_L2

    rows = []
    for label, factory, bytes_per_vector, kind, sweep in configs(d, len(xb)):
        if args.only and not any(s in label for s in args.only.split(",")):
            continue
        t0 = time.perf_counter()
        index = faiss.index_factory(d, factory, faiss_metric)
        if not index.is_trained:
            index.train(xb)
        index.add(xb)
        build_s = time.perf_counter() - t0
        for knob, params in sweep:
            result = measure(index, xq, gt, params)
            row = {
                "scheme": label, "bits": round(8.0 * bytes_per_vector / d, 3), "index": kind,
                "nprobe": knob, "rerank": "flat10x" if "Refine" in label else "none",
                "bytes_per_vector": bytes_per_vector, "build_s": build_s, "reranked_per_query": None,
            }
            row.update(result)
            rows.append(row)
            write_report(args.json, name, d, xb, xq, rows)  # after every row: a run cut short keeps what it measured
            print(f"{label:38s} {str(knob):>5s} R@10={row['recall_at_10']:.4f} R1@10={row['recall_1_at_10']:.3f} "
                  f"R1@100={row['recall_1_at_100']:.3f} QPS={row['qps']:9.1f} p99={row['p99_ms']:.3f}ms "
                  f"B/vec={bytes_per_vector}", flush=True)

    write_report(args.json, name, d, xb, xq, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
