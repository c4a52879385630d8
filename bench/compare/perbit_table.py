"""Per-bit table from faiss_perbit.py's JSON and VectorDb harness JSONs (search --rerank none).

For each b: VectorDb's recall@10 and bytes per vector (per file: flat, IVF), each FAISS row, the best FAISS recall among
the rows that use at least as many bytes as VectorDb's flat row, and the difference (VectorDb − that best).
usage: perbit_table.py FAISS.json VECTORDB.json [VECTORDB-IVF.json]"""
import json
import sys

faiss = json.load(open(sys.argv[1]))
ours = [json.load(open(p)) for p in sys.argv[2:]]
names = ["rabitq", "rr-rabitq", "eden", "rr-eden"]
print(f"{faiss['dataset']}: n={faiss['n']}, d={faiss['d']}, {faiss['nq']} queries, recall@10, flat, no re-rank; FAISS {faiss['faiss']}")
header = ["b"] + [f"VectorDb {r['rows'][0]['index'].rstrip('0123456789')} (B)" for r in ours] + [f"{n} (B)" for n in names] + ["best FAISS ≥ bytes", "Δ"]
print(" | ".join(header))
for b in (1, 2, 4, 8):
    cells = [str(b)]
    mine = []
    for report in ours:
        row = next((r for r in report["rows"] if int(r["bits"]) == b and r["rerank"] == "none"), None)
        mine.append(row)
        cells.append("-" if row is None else f"{row['recall_at_10']:.4f} ({int(row['bytes_per_vector'])}) {row['centring']}")
    flat = mine[0]
    best = None
    for n in names:
        row = faiss["rows"].get(f"{n}{b}")
        cells.append("-" if row is None else f"{row['recall_at_10']:.4f} ({row['bytes_per_vector']})")
        if row is not None and flat is not None and row["bytes_per_vector"] >= flat["bytes_per_vector"]:
            best = row["recall_at_10"] if best is None else max(best, row["recall_at_10"])
    cells.append("-" if best is None else f"{best:.4f}")
    cells.append("-" if best is None or flat is None else f"{flat['recall_at_10'] - best:+.4f}")
    print(" | ".join(cells))
