"""FAISS 1.15 speed for extra index factory strings (default EDEN2: FAISS's own EDEN at 2 bits, the reference for
VectorDb's 2-bit figures), timed exactly as ../shared/tools/faiss_speed.py times its indexes (one thread; 50 queries
warm-up; one batched call over all NQ queries, then NQ calls of one query each), one JSON row per line on stdout.
Called by bench/compare/speed.sh next to faiss_speed.py.
Usage: PYTHONPATH=../shared/tools/faiss-1.15-avx512 /usr/bin/python3 bench/compare/faiss_speed_factory.py DIR ip|l2 NQ [FACTORY ...]"""
import json
import sys
import time

import faiss
import numpy as np

src, metric, nq = sys.argv[1], sys.argv[2], int(sys.argv[3])
factories = sys.argv[4:] or ["EDEN2"]
faiss.omp_set_num_threads(1)


def read_vecs(path, dtype):
    raw = np.fromfile(path, dtype=np.int32)
    return raw.reshape(-1, raw[0] + 1)[:, 1:].view(dtype)


xb = read_vecs(f"{src}/base.fvecs", np.float32)
xq = read_vecs(f"{src}/query.fvecs", np.float32)[:nq]
gt = read_vecs(f"{src}/groundtruth.ivecs", np.int32)[:nq]
d = xb.shape[1]
faiss_metric = faiss.METRIC_INNER_PRODUCT if metric == "ip" else faiss.METRIC_L2

for factory in factories:
    index = faiss.index_factory(d, factory, faiss_metric)
    index.train(xb)
    index.add(xb)
    index.search(xq[:50], 10)
    start = time.perf_counter()
    _, found = index.search(xq, 10)
    batch_s = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(len(xq)):
        index.search(xq[i:i + 1], 10)
    single_s = time.perf_counter() - start
    recall = float(np.mean([len(set(a[:10]) & set(g[:10])) / 10 for a, g in zip(found, gt)]))
    print(json.dumps({"method": factory, "recall_at_10": recall, "qps_1": nq / single_s, "qps_batch": nq / batch_s,
                      "bytes_per_vector": int(index.sa_code_size())}), flush=True)
