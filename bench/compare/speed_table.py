"""Table of a bench/compare/speed.sh folder: every row of both sides with its QPS range over the rounds, then the
ratios VectorDb / FAISS, each taken within one round (the two sides ran back to back) and given as a range.
Usage: /usr/bin/python3 bench/compare/speed_table.py <folder>"""
import csv
import glob
import json
import os
import re
import sys

folder = sys.argv[1]


def rounds(pattern):
    """{round: parsed JSON} for the files matching round<r>-<pattern>.json."""
    found = {}
    for path in glob.glob(os.path.join(folder, f"round*-{pattern}.json")):
        found[int(re.search(r"round(\d+)-", os.path.basename(path)).group(1))] = json.load(open(path))
    return found


faiss_rounds = rounds("faiss")
vectordb_rounds = {r: rounds("vectordb-flat").get(r, {"rows": []})["rows"] + rounds("vectordb-ivf").get(r, {"rows": []})["rows"]
                   for r in rounds("vectordb-flat")}


def vectordb_label(row):
    index = row["index"] + (f",nprobe{row['nprobe']}" if row.get("nprobe") else "")
    return f"VectorDb {index},{row['scheme']}{row['bits']},rerank-{row['rerank']}"


# {label: {round: {"recall": r, "qps_1": q, "qps_batch": q}}}; a VectorDb row is one query per call at batch 1 and
# batched at batch = all queries.
table = {}
for r, data in faiss_rounds.items():
    for row in data["rows"]:
        table.setdefault("FAISS " + row["method"], {})[r] = {"recall": row["recall_at_10"], "qps_1": row["qps_1"], "qps_batch": row["qps_batch"]}
for r, rows in vectordb_rounds.items():
    for row in rows:
        cell = table.setdefault(vectordb_label(row), {}).setdefault(r, {"recall": row["recall_at_10"]})
        cell["qps_1" if row["batch"] == 1 else "qps_batch"] = row["qps"]


def span(values, fmt="{:,.0f}"):
    values = sorted(v for v in values if v is not None)
    if not values:
        return "-"
    return fmt.format(values[0]) if len(values) == 1 or fmt.format(values[0]) == fmt.format(values[-1]) \
        else f"{fmt.format(values[0])}-{fmt.format(values[-1])}"


loads = list(csv.DictReader(open(os.path.join(folder, "load.tsv")), delimiter="\t")) if os.path.exists(os.path.join(folder, "load.tsv")) else []
cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
print(f"# {folder}\n")
print(f"{len(faiss_rounds)} round(s); FAISS {next(iter(faiss_rounds.values()))['faiss'] if faiss_rounds else '?'}; "
      f"CPU {cpu}, {os.cpu_count()} cores; one thread on both sides.")
if loads:
    print(f"1-minute load average over the runs: {span([float(x['load1_before']) for x in loads] + [float(x['load1_after']) for x in loads], '{:.1f}')}"
          f" (per side and round in load.tsv).")
print("\n| method | recall@10 | QPS one query per call | QPS batched (all queries, one call) |\n|---|---|---|---|")
for label, cells in table.items():
    print(f"| {label} | {span([c['recall'] for c in cells.values()], '{:.4f}')} | {span([c.get('qps_1') for c in cells.values()])}"
          f" | {span([c.get('qps_batch') for c in cells.values()])} |")

# Ratios: VectorDb row / FAISS row, same round, same mode.
pairs = [(vectordb, faiss) for vectordb in table if vectordb.startswith("VectorDb flat,") and "rerank-none" in vectordb
         for faiss in table if faiss.startswith("FAISS ")
         and (("eden-unbiased4" in vectordb and re.match(r"FAISS PQ\d+x4fs$", faiss)) or ("eden-unbiased2" in vectordb and faiss == "FAISS EDEN2"))]
pairs += [(vectordb, faiss) for vectordb in table if vectordb.startswith("VectorDb ivf") and "rerank-auto" in vectordb
          for faiss in table if faiss.startswith("FAISS HNSW32") or faiss.startswith("FAISS IVF")]
if pairs:
    print("\n| VectorDb | FAISS | recall@10 VectorDb / FAISS | × FAISS one query per call | × FAISS batched |\n|---|---|---|---|---|")
for vectordb, faiss in pairs:
    common = sorted(set(table[vectordb]) & set(table[faiss]))
    ratio = lambda mode: [table[vectordb][r][mode] / table[faiss][r][mode] for r in common
                          if table[vectordb][r].get(mode) and table[faiss][r].get(mode)]
    recall = f"{span([table[vectordb][r]['recall'] for r in common], '{:.4f}')} / {span([table[faiss][r]['recall'] for r in common], '{:.4f}')}"
    print(f"| {vectordb} | {faiss} | {recall} | {span(ratio('qps_1'), '{:.2f}×')} | {span(ratio('qps_batch'), '{:.2f}×')} |")
