#!/usr/bin/python3
"""Prints the rows of several harness-format JSON files (VectorDb and FAISS) as one table, best recall first."""
import json
import sys


def main(paths):
    rows = []
    header = None
    shape = None
    for path in paths:
        with open(path) as f:
            report = json.load(f)
        this = (report["dataset"], report["n_base"], report["n_query"])
        if shape is not None and this != shape:
            sys.exit(f"{path}: dataset/n_base/n_query {this} differ from {shape}; run both sides on the same queries")
        shape = this
        header = header or f"{report['dataset']}  dim={report['dim']}  n_base={report['n_base']}  n_query={report['n_query']}"
        engine = report.get("engine", "vectordb")
        for row in report["rows"]:
            rows.append((engine, row))
    print(header)
    print(f"{'engine':28s} {'scheme':38s} {'bits':>5s} {'index':>5s} {'probe':>5s} {'rerank':>7s} "
          f"{'R@10':>6s} {'R1@10':>6s} {'R1@100':>6s} {'QPS':>9s} {'p50ms':>7s} {'p99ms':>7s} {'B/vec':>7s}")
    for engine, r in sorted(rows, key=lambda er: (-er[1]["recall_at_10"], -er[1]["qps"])):
        print(f"{engine[:28]:28s} {r['scheme'][:38]:38s} {r['bits']:5.2f} {r['index']:>5s} {str(r.get('nprobe')):>5s} "
              f"{str(r.get('rerank'))[:7]:>7s} {r['recall_at_10']:6.3f} {r['recall_1_at_10']:6.3f} "
              f"{r['recall_1_at_100']:6.3f} {r['qps']:9.1f} {r['p50_ms']:7.3f} {r['p99_ms']:7.3f} {r['bytes_per_vector']:7.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
