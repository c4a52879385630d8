"""Table of a bench/compare/speed.sh folder: every row of both sides with its QPS range over all rounds and
repetitions, then the ratios VectorDb / FAISS, each taken within one round (the two sides ran back to back) as the
ratio of the two sides' medians over that round's repetitions, and given as the range over rounds.
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


# {label: {round: {"recall": [..], "qps_1": [..], "qps_batch": [..]}}}: every repetition kept. A VectorDb row is one
# query per call at batch 1 and batched at batch = all queries.
table = {}


def add(label, r, recall, mode, qps):
    cell = table.setdefault(label, {}).setdefault(r, {"recall": [], "qps_1": [], "qps_batch": []})
    cell["recall"].append(recall)
    cell[mode].append(qps)


for r, data in faiss_rounds.items():
    for row in data["rows"]:
        add("FAISS " + row["method"], r, row["recall_at_10"], "qps_1", row["qps_1"])
        add("FAISS " + row["method"], r, row["recall_at_10"], "qps_batch", row["qps_batch"])
for r, rows in vectordb_rounds.items():
    for row in rows:
        add(vectordb_label(row), r, row["recall_at_10"], "qps_1" if row["batch"] == 1 else "qps_batch", row["qps"])


def median(values):
    values = sorted(values)
    return None if not values else (values[len(values) // 2] + values[(len(values) - 1) // 2]) / 2


def every(cells, key):
    return [v for cell in cells.values() for v in cell[key]]


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
print("\nQPS: the range over every round and repetition (n = measurements).\n")
print("| method | recall@10 | QPS one query per call | QPS batched (all queries, one call) |\n|---|---|---|---|")
for label, cells in table.items():
    print(f"| {label} | {span(every(cells, 'recall'), '{:.4f}')} | {span(every(cells, 'qps_1'))} (n={len(every(cells, 'qps_1'))})"
          f" | {span(every(cells, 'qps_batch'))} (n={len(every(cells, 'qps_batch'))}) |")

# Ratios: VectorDb row / FAISS row, same round, same mode.
pairs = [(vectordb, faiss) for vectordb in table if vectordb.startswith("VectorDb flat,") and "rerank-none" in vectordb
         for faiss in table if faiss.startswith("FAISS ")
         and (("eden-unbiased4" in vectordb and re.match(r"FAISS PQ\d+x4fs$", faiss)) or ("eden-unbiased2" in vectordb and faiss == "FAISS EDEN2"))]
# IVF: each VectorDb row against FAISS's highest-recall HNSW and IVF-PQ rows (efSearch 256, nprobe 128).
pairs += [(vectordb, faiss) for vectordb in table if vectordb.startswith("VectorDb ivf") and "rerank-auto" in vectordb
          for faiss in table if faiss == "FAISS HNSW32,ef256" or (faiss.startswith("FAISS IVF") and ",nprobe128," in faiss)]
per_round = []
if pairs:
    print("\nRatios: per round, VectorDb's median QPS over FAISS's median QPS in that round; the range over rounds, then"
          " the median over rounds in brackets.\n")
    print("| VectorDb | FAISS | recall@10 VectorDb / FAISS | × FAISS one query per call | × FAISS batched | rounds |\n|---|---|---|---|---|---|")
for vectordb, faiss in pairs:
    common = sorted(set(table[vectordb]) & set(table[faiss]))
    ratio = lambda mode: [median(table[vectordb][r][mode]) / median(table[faiss][r][mode]) for r in common
                          if table[vectordb][r][mode] and table[faiss][r][mode]]
    recall = f"{span(every({r: table[vectordb][r] for r in common}, 'recall'), '{:.4f}')} / {span(every({r: table[faiss][r] for r in common}, 'recall'), '{:.4f}')}"
    summary = lambda mode: f"{span(ratio(mode), '{:.2f}×')} ({median(ratio(mode)) or 0:.2f}×)"
    print(f"| {vectordb} | {faiss} | {recall} | {summary('qps_1')} | {summary('qps_batch')} | {len(common)} |")
    per_round.append((vectordb, faiss, common, ratio))
for vectordb, faiss, common, ratio in per_round:
    print(f"\nPer round, {vectordb} / {faiss}: one query per call "
          + ", ".join(f"{x:.2f}" for x in ratio("qps_1")) + "; batched " + ", ".join(f"{x:.2f}" for x in ratio("qps_batch"))
          + f" (rounds {', '.join(map(str, common))}).")
