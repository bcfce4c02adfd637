#!/usr/bin/python3
"""Sums an interleaved A/B run (bench/ab_toggle.patch) from its stderr.

The patched build prints a cumulative "AB on X s (N ev) off Y s (M ev)" line at the end of each
run_until call (a window of the run, inside which the two modes alternate). Prints the
totals, and the totals without the windows longer than --long seconds in either mode (those that
hold a heal's burst; the modes alternate every 4,096 events inside every window, so both saw the
same part of the run).
Usage: bench/ab_slices.py STDERR_FILE [--long 1.0]
"""
import argparse
import re
import sys

LINE = re.compile(r"AB on ([\d.]+) s \((\d+) ev\) off ([\d.]+) s \((\d+) ev\)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stderr_file")
    parser.add_argument("--long", type=float, default=1.0, help="a long window, seconds")
    args = parser.parse_args()
    points = []
    with open(args.stderr_file, encoding="utf-8") as f:
        for line in f:
            m = LINE.search(line)
            if m:
                points.append((float(m.group(1)), float(m.group(3))))
    if not points:
        sys.exit(f"{args.stderr_file}: no 'AB on ... off ...' lines (not an A/B build's output?)")
    on_total, off_total = points[-1]
    windows = [(0.0, 0.0)] + points  # the first window runs from the start
    steps = [(b[0] - a[0], b[1] - a[1]) for a, b in zip(windows, windows[1:])]
    short = [(on, off) for on, off in steps if on < args.long and off < args.long]
    print(f"on {on_total:.2f} s  off {off_total:.2f} s  change {100 * (on_total / off_total - 1):+.1f} %")
    print(f"without {len(steps) - len(short)} long window(s): on {sum(s[0] for s in short):.2f} s  "
          f"off {sum(s[1] for s in short):.2f} s")


if __name__ == "__main__":
    main()
