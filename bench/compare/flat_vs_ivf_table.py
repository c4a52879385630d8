#!/usr/bin/python3
"""Summarises bench/compare/flat-vs-ivf.sh output: per base size, flat + auto re-rank against the smallest IVF nprobe
whose recall@10 reaches the target (default 0.95), as a Markdown table.

usage: flat_vs_ivf_table.py <dir with flat-N.json and ivf-N.json> [--target 0.95]
"""
import argparse
import glob
import json
import os
import re


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--target", type=float, default=0.95)
    args = parser.parse_args()
    sizes = sorted(int(re.search(r"flat-(\d+)\.json$", p).group(1)) for p in glob.glob(os.path.join(args.folder, "flat-*.json")))
    print(f"| n | flat R@10 | flat QPS | flat p50 ms | IVF lists | nprobe (R@10 >= {args.target}) | IVF R@10 | IVF QPS "
          "| IVF p50 ms | codes scanned vs flat | QPS IVF/flat | p50 flat/IVF |")
    print("| --- " * 12 + "|")
    for n in sizes:
        with open(os.path.join(args.folder, f"flat-{n}.json")) as f:
            flat = json.load(f)["rows"][-1]  # the last row: flat-vs-ivf.sh runs flat twice, the first warms the JIT
        ivf_path = os.path.join(args.folder, f"ivf-{n}.json")
        if not os.path.exists(ivf_path):
            continue
        with open(ivf_path) as f:
            ivf_rows = sorted(json.load(f)["rows"], key=lambda r: r["nprobe"])
        hit = next((r for r in ivf_rows if r["recall_at_10"] >= args.target), None)
        if hit is None:
            print(f"| {n:,} | {flat['recall_at_10']:.4f} | {flat['qps']:,.0f} | {flat['p50_ms']:.3f} | - | none reaches it | | | | | | |")
            continue
        lists = int(hit["index"].removeprefix("ivf"))
        print(f"| {n:,} | {flat['recall_at_10']:.4f} | {flat['qps']:,.0f} | {flat['p50_ms']:.3f} | {lists} | {hit['nprobe']} "
              f"| {hit['recall_at_10']:.4f} | {hit['qps']:,.0f} | {hit['p50_ms']:.3f} | {hit['nprobe'] / lists:.3f} "
              f"| {hit['qps'] / flat['qps']:.2f} | {flat['p50_ms'] / hit['p50_ms']:.2f} |")


if __name__ == "__main__":
    main()
