#!/usr/bin/python3
"""The interleaved A/B harness still fits the tree, and its summing script adds up right.

Usage: check_ab_harness.py SOURCE_DIR WORK_DIR
1. bench/ab_toggle.patch applies to the sources (patch --dry-run): it must not rot.
2. bench/ab_slices.py on a made-up stderr gives the totals and the totals without long windows
   that a hand computation gives; on a file without A/B lines it fails with a message.
3. A Simulation built with the patch counts only time inside run_until: a driver sleeps 0.3 s
   before each of two windows of trivial events, and the modes' total must stay far below that
   (the harness once gave the world's construction to the first mode).
"""
import importlib.util
import os
import shutil
import subprocess
import sys

DRIVER = r'''
#include <chrono>
#include <thread>

#include "sim/simulation.hpp"

int main() {
  dmlssim::sim::Simulation s;
  for (int window = 1; window <= 2; ++window) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // outside run_until
    for (int i = 0; i < 20000; ++i)
      s.schedule(dmlssim::sim::SimTime::from_ns(i), [] {});
    s.run_until(dmlssim::sim::SimTime::from_ns(window * 1'000'000));
  }
}
'''


def ab_line_pattern(source):
    """The A/B line as bench/ab_slices.py reads it (one definition of the format)."""
    spec = importlib.util.spec_from_file_location(
        "ab_slices", os.path.join(source, "bench", "ab_slices.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.LINE


def check_clock(source, work):
    tree = os.path.join(work, "src")
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(os.path.join(source, "sim"), os.path.join(tree, "sim"))
    with open(os.path.join(source, "bench", "ab_toggle.patch"), "rb") as f:
        subprocess.run(["patch", "-s", "-p1", "-d", tree], stdin=f, check=True)
    driver = os.path.join(tree, "driver.cpp")
    with open(driver, "w", encoding="utf-8") as f:
        f.write(DRIVER)
    binary = os.path.join(work, "ab_driver")
    sources = [driver] + [os.path.join(tree, "sim", n) for n in
                          ("simulation.cpp", "event_queue.cpp", "tiered_queue.cpp", "time.cpp")]
    subprocess.run(["g++", "-std=c++20", "-O1", "-DDMLSSIM_AB", "-I", tree, "-o", binary] +
                   sources, check=True)
    err = subprocess.run([binary], capture_output=True, text=True, check=True).stderr
    last = ab_line_pattern(source).findall(err)
    if len(last) != 2:
        sys.exit(f"the A/B driver printed no two windows:\n{err}")
    on, on_events, off, off_events = last[-1]
    if int(on_events) + int(off_events) != 40000:
        sys.exit(f"the A/B driver counted {on_events} + {off_events} events, not 40000")
    if float(on) + float(off) > 0.25:
        sys.exit(f"the A/B clock counted {on} + {off} s for 40,000 trivial events: time outside "
                 "run_until (0.6 s of sleep) went to a mode")


def main():
    source, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    patch = os.path.join(source, "bench", "ab_toggle.patch")
    with open(patch, "rb") as f:
        dry = subprocess.run(["patch", "--dry-run", "-p1", "-d", source], stdin=f,
                             capture_output=True, text=True)
    if dry.returncode != 0:
        sys.exit(f"bench/ab_toggle.patch no longer applies:\n{dry.stdout}{dry.stderr}")
    # Cumulative lines: windows (on, off) = (0.1, 0.2), (0.5, 0.6), (2.0, 3.0) [long], (0.4, 0.4).
    lines = ["noise before\n",
             "AB on 0.100 s (10 ev) off 0.200 s (10 ev)\n",
             "AB on 0.600 s (20 ev) off 0.800 s (20 ev)\n",
             "other output\n",
             "AB on 2.600 s (30 ev) off 3.800 s (30 ev)\n",
             "AB on 3.000 s (40 ev) off 4.200 s (40 ev)\n"]
    log = os.path.join(work, "ab_stderr.txt")
    with open(log, "w", encoding="utf-8") as f:
        f.writelines(lines)
    script = os.path.join(source, "bench", "ab_slices.py")
    out = subprocess.run(["/usr/bin/python3", script, log], capture_output=True, text=True,
                         check=True).stdout
    expected = ("on 3.00 s  off 4.20 s  change -28.6 %\n"
                "without 1 long window(s): on 1.00 s  off 1.20 s\n")
    if out != expected:
        sys.exit(f"ab_slices.py printed\n{out}expected\n{expected}")
    empty = os.path.join(work, "no_ab.txt")
    with open(empty, "w", encoding="utf-8") as f:
        f.write("a plain run's stderr\n")
    bad = subprocess.run(["/usr/bin/python3", script, empty], capture_output=True, text=True)
    if bad.returncode == 0 or "no 'AB on ... off ...' lines" not in bad.stderr:
        sys.exit(f"ab_slices.py on a file without A/B lines: rc {bad.returncode}, {bad.stderr}")
    check_clock(source, work)
    print("ab harness ok")


if __name__ == "__main__":
    main()
