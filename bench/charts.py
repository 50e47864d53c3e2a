"""Draws BENCHMARKS.md's charts from the JSON files confab-bench wrote.

    scripts/charts.sh            # installs matplotlib in a venv, then runs this

Inputs (docs/bench/): latency-*.json (`confab-bench --json ... latency`),
idle-*.json (`... idle`), ingest-*.json (`... ingest`). Outputs SVG files next to
them. Each chart is drawn only when its inputs exist.
"""

import glob
import json
import os
import sys

import matplotlib

matplotlib.use("svg")
# Same input, same file: no date in the metadata, fixed element ids.
matplotlib.rcParams["svg.hashsalt"] = "confab"
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

HERE = sys.argv[1] if len(sys.argv) > 1 else "docs/bench"


def load(pattern):
    runs = []
    for path in sorted(glob.glob(os.path.join(HERE, pattern))):
        with open(path) as f:
            data = json.load(f)
        data["_name"] = os.path.splitext(os.path.basename(path))[0]
        runs.append(data)
    return runs


def latency_chart(runs):
    fig, ax = plt.subplots(figsize=(7, 4))
    for run in runs:
        steps = run["steps"]
        x = [s["offered_deliveries_per_sec"] for s in steps]
        label = run.get("label", run["_name"])
        for key, style in (("p50_ms", "--"), ("p99_ms", "-")):
            ax.plot(x, [s[key] for s in steps], style, marker="o",
                    label=f"{label} {key[:-3]}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.axhline(10, color="grey", linewidth=0.8, linestyle=":")
    ax.text(0.01, 10, "target: p99 ≤ 10 ms at 50k/s", va="bottom", color="grey", fontsize=8,
            transform=ax.get_yaxis_transform())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1000:g}k"))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    ax.set_xticks(sorted({s["offered_deliveries_per_sec"] for r in runs for s in r["steps"]}))
    ax.set_xlabel("offered deliveries per second")
    ax.set_ylabel("send → receive latency (ms)")
    ax.set_title("Latency against offered rate")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(HERE, "latency.svg"), metadata={"Date": None})


def idle_chart(runs):
    pts = sorted((r["opened"], r["server_rss_after_kib"] / 1024, r["server_kib_per_connection"])
                 for r in runs if r.get("server_rss_after_kib"))
    if not pts:
        return
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label="server anonymous RSS (MiB)")
    for n, mib, per in pts:
        ax.annotate(f"{per:.1f} KiB/conn", (n, mib), textcoords="offset points",
                    xytext=(4, -12), fontsize=8)
    xs = [0, max(p[0] for p in pts)]
    ax.plot(xs, [x * 10 / 1024 for x in xs], ":", color="grey", label="target: 10 KiB per connection")
    ax.set_xlabel("idle authenticated connections")
    ax.set_ylabel("server anonymous RSS (MiB)")
    ax.set_title("Memory against connections")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(HERE, "idle.svg"), metadata={"Date": None})


def ingest_chart(runs):
    if not runs:
        return
    fig, ax = plt.subplots(figsize=(7, 3.5))
    names = [r.get("label", r["_name"]) for r in runs]
    rates = [r["sends_per_sec"] for r in runs]
    ax.barh(names, rates)
    for i, v in enumerate(rates):
        ax.text(v, i, f" {v:,.0f}/s", va="center", fontsize=8)
    ax.set_xlabel("durable sends per second (ack after commit)")
    ax.set_title("Ingest")
    fig.tight_layout()
    fig.savefig(os.path.join(HERE, "ingest.svg"), metadata={"Date": None})


if __name__ == "__main__":
    latency = load("latency-*.json")
    if latency:
        latency_chart(latency)
    idle_chart(load("idle-*.json"))
    ingest_chart(load("ingest-*.json"))
    print("charts written to", HERE)
