"""How the whole `tspcli render` grows with the number of layers: chains of 30, 100, 300 and 1,000 layers,
and the 155-layer tf.keras MobileNetV2 file (../shared/data), at 1920x1080.

Each chain is a description written to a temporary folder: a 32x32x3 input, then
alternating depthwise and pointwise convolutions (8 channels) and a pooling layer
every 10 layers, then a flatten and a 10-unit output, so every layer is drawn and labelled.
Each case runs the command in a fresh process, as a user would, ``--runs`` times;
the medians of wall-clock and CPU time (user + system) are printed.  ``--root`` runs another checkout's code (e.g. main's, for
same-run ratios): its ``tspcli`` is put first on PYTHONPATH.

    python benchmarks/layout.py [--runs 3] [--root /path/to/other/checkout] [--sizes 30,100] [--extra "--fold none"]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile

from child_env import run_tspcli

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MOBILENET_V2 = os.path.join(HERE, "..", "shared", "data", "tfkeras2", "tfk2_mobilenet_v2.h5")


def chain(layers: int) -> str:
    """A description of a chain of ``layers`` drawn layers."""
    lines = ["model: {type: Sequential, name: chain}", "layers:",
             "  - {type: RGBInput, name: input, shape: [32, 32, 3]}"]
    for i in range(1, layers - 2):
        if i % 10 == 0:
            lines.append(f"  - {{type: Pooling2d, name: pool_{i}, poolSize: 1, strides: 1}}")
        elif i % 2:
            lines.append(f"  - {{type: DepthwiseConv2d, name: dw_{i}, kernelSize: 3, padding: same}}")
        else:
            lines.append(f"  - {{type: Conv2d, name: pw_{i}, filters: 8, kernelSize: 1}}")
    lines += ["  - {type: Flatten, name: flatten}", "  - {type: Output1d, name: out, units: 10}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--root", default=HERE)
    parser.add_argument("--sizes", default="30,100,300,1000")
    parser.add_argument("--extra", default="", help="more render flags for every case, e.g. '--fold none'")
    opts = parser.parse_args()
    root = os.path.abspath(opts.root)
    extra = opts.extra.split()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.png")
        cases = []
        for n in map(int, opts.sizes.split(",")):
            path = os.path.join(tmp, f"chain_{n}.yaml")
            with open(path, "w") as f:
                f.write(chain(n))
            cases.append((f"chain of {n} layers", ["render", path, "-o", out, *extra]))
        if os.path.exists(MOBILENET_V2):
            cases.append(("tf.keras MobileNetV2 file (155 layers)",
                          ["render", os.path.abspath(MOBILENET_V2), "-o", out, *extra]))
        print(f"code: {root}; {opts.runs} runs per row, median seconds, 1920x1080\n")
        print("| case | median wall s | median CPU s | wall, CPU of each run |")
        print("|---|---|---|---|")
        for name, args in cases:
            runs = [run_tspcli(root, args)[:2] for _ in range(opts.runs)]
            walls, cpus = zip(*runs)
            print(f"| {name} | {statistics.median(walls):.2f} | {statistics.median(cpus):.2f} | "
                  f"{'; '.join(f'{w:.2f}, {c:.2f}' for w, c in runs)} |", flush=True)


if __name__ == "__main__":
    main()
