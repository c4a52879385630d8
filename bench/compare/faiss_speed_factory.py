"""FAISS 1.15 speed for index factory strings (e.g. PQ100x4fs, EDEN2: FAISS's own EDEN at 2 bits), timed as
../shared/tools/faiss_speed.py times its indexes (one thread; 50 queries warm-up; one batched call over all NQ
queries, then NQ calls of one query each), REPEAT times in a row; one JSON row per factory and repetition on stdout.
With CACHE (a folder), a trained and filled index is written there and read back by later calls, so that repeated
rounds spend their time on searching rather than training. Called by bench/compare/speed.sh.
Usage: PYTHONPATH=../shared/tools/faiss-1.15-avx512 /usr/bin/python3 bench/compare/faiss_speed_factory.py DIR ip|l2 NQ REPEAT CACHE|- FACTORY..."""
import json
import os
import sys
import time

import faiss
import numpy as np

src, metric, nq, repeat, cache = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
factories = sys.argv[6:]
faiss.omp_set_num_threads(1)


def read_vecs(path, dtype):
    raw = np.fromfile(path, dtype=np.int32)
    return raw.reshape(-1, raw[0] + 1)[:, 1:].view(dtype)


xb = read_vecs(f"{src}/base.fvecs", np.float32)
xq = read_vecs(f"{src}/query.fvecs", np.float32)[:nq]
gt = read_vecs(f"{src}/groundtruth.ivecs", np.int32)[:nq]
d = xb.shape[1]
faiss_metric = faiss.METRIC_INNER_PRODUCT if metric == "ip" else faiss.METRIC_L2


def built(factory):
    path = os.path.join(cache, f"{os.path.basename(src.rstrip('/'))}-{metric}-{factory}.index") if cache != "-" else None
    if path and os.path.exists(path):
        return faiss.read_index(path)
    index = faiss.index_factory(d, factory, faiss_metric)
    index.train(xb)
    index.add(xb)
    if path:
        faiss.write_index(index, path)
    return index


for factory in factories:
    index = built(factory)
    index.search(xq[:50], 10)
    for repetition in range(repeat):
        start = time.perf_counter()
        _, found = index.search(xq, 10)
        batch_s = time.perf_counter() - start
        start = time.perf_counter()
        for i in range(len(xq)):
            index.search(xq[i:i + 1], 10)
        single_s = time.perf_counter() - start
        recall = float(np.mean([len(set(a[:10]) & set(g[:10])) / 10 for a, g in zip(found, gt)]))
        print(json.dumps({"method": factory, "repetition": repetition, "recall_at_10": recall, "qps_1": nq / single_s,
                          "qps_batch": nq / batch_s, "bytes_per_vector": int(index.sa_code_size())}), flush=True)
