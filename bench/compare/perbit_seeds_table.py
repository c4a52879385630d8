"""Seed-averaged per-bit table: faiss_perbit_seeds.py's JSON and one VectorDb harness JSON per rotation seed.

For each b: VectorDb's mean recall@10 over its seeds with the range, each FAISS row's mean (RR rows over their seeds,
plain rows measured once), the best FAISS mean among rows with at least VectorDb's bytes per vector, Δ of the means,
and how many of VectorDb's seeds reach that best mean.
usage: perbit_seeds_table.py FAISS-SEEDS.json VECTORDB-SEED1.json [VECTORDB-SEED2.json ...]"""
import json
import statistics
import sys

faiss = json.load(open(sys.argv[1]))
ours = [json.load(open(p)) for p in sys.argv[2:]]
names = ["rabitq", "rr-rabitq", "eden", "rr-eden"]
print(f"{faiss['dataset']}: n={faiss['n']}, d={faiss['d']}, {faiss['nq']} queries, recall@10, flat, no re-rank; "
      f"VectorDb over {len(ours)} rotation seeds, FAISS RR rows over {faiss['seeds']}; FAISS {faiss['faiss']}")
print(" | ".join(["b", "VectorDb mean [min-max] (B)"] + [f"{n} mean (B)" for n in names]
                 + ["best FAISS mean ≥ bytes", "Δ of means", "our seeds ≥ it"]))
for b in (1, 2, 4, 8):
    rows = [next(r for r in report["rows"] if int(r["bits"]) == b and r["rerank"] == "none") for report in ours]
    recalls = [r["recall_at_10"] for r in rows]
    size = int(rows[0]["bytes_per_vector"])
    mean = statistics.fmean(recalls)
    cells = [str(b), f"{mean:.4f} [{min(recalls):.4f}-{max(recalls):.4f}] ({size})"]
    best = None
    for n in names:
        row = faiss["rows"][f"{n}{b}"]
        value = statistics.fmean(row["recall_at_10"])
        cells.append(f"{value:.4f} ({row['bytes_per_vector']})")
        if row["bytes_per_vector"] >= size:
            best = value if best is None else max(best, value)
    cells.append("-" if best is None else f"{best:.4f}")
    cells.append("-" if best is None else f"{mean - best:+.4f}")
    cells.append("-" if best is None else f"{sum(r >= best for r in recalls)} of {len(recalls)}")
    print(" | ".join(cells))
