"""FAISS 1.15 recall per bit over several random-rotation seeds (the seed-averaged side of perbit.sh --seeds N).

faiss_perbit.py (../shared/tools) measures each FAISS row once, with the factory's fixed RR<d> rotation. A single
rotation is one draw: recall@10 moves by a few tenths of a point from seed to seed on both sides, which is as large as
some of the differences being compared. This script builds RR rows as IndexPreTransform(RandomRotationMatrix seeded
1..N, EDEN<b> / RaBitQ<b>) and reports every seed; rows without RR have no random choice and are measured once.
usage: PYTHONPATH=../shared/tools/faiss-1.15-avx512 /usr/bin/python3 faiss_perbit_seeds.py DIR ip|l2 NQ SEEDS OUT.json"""
import json
import sys

import faiss
import numpy as np

src, metric, nq, seeds, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
faiss.omp_set_num_threads(1)


def read(path, dtype):
    raw = np.fromfile(path, dtype=np.int32)
    return raw.reshape(-1, raw[0] + 1)[:, 1:].view(dtype)


xb, xq, gt = read(f"{src}/base.fvecs", np.float32), read(f"{src}/query.fvecs", np.float32)[:nq], read(f"{src}/groundtruth.ivecs", np.int32)[:nq]
d = xb.shape[1]
M = faiss.METRIC_INNER_PRODUCT if metric == "ip" else faiss.METRIC_L2


def recall(index):
    index.train(xb)
    index.add(xb)
    _, found = index.search(xq, 10)
    return float(np.mean([len(set(a) & set(g[:10])) / 10 for a, g in zip(found, gt)]))


res = {"dataset": src.rstrip("/").split("/")[-1], "n": int(xb.shape[0]), "d": d, "nq": nq, "seeds": seeds,
       "faiss": faiss.__version__ + " " + faiss.get_compile_options().strip(), "rows": {}}
for b in (1, 2, 4, 8):
    for name, spec in (("rabitq", f"RaBitQ{b if b > 1 else ''}"), ("eden", f"EDEN{b}")):
        plain = faiss.index_factory(d, spec, M)
        res["rows"][f"{name}{b}"] = {"recall_at_10": [recall(plain)], "bytes_per_vector": int(plain.sa_code_size())}
        rotated = []
        for seed in range(1, seeds + 1):
            rotation = faiss.RandomRotationMatrix(d, d)
            rotation.init(seed)
            rotated.append(recall(faiss.IndexPreTransform(rotation, faiss.index_factory(d, spec, M))))
        res["rows"][f"rr-{name}{b}"] = {"recall_at_10": rotated, "bytes_per_vector": int(plain.sa_code_size())}
        print(name, b, res["rows"][f"{name}{b}"]["recall_at_10"], "rr", [round(r, 4) for r in rotated], flush=True)
json.dump(res, open(out, "w"), indent=1)
