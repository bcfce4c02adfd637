#!/usr/bin/env python3
"""Checks the layers' arrows (docs/architecture.md): every project include in a source file must
name a module its own module may use. Run from CI (ctest runs it as the test 'layering'):

    check_layers.py ROOT

Prints each forbidden include as FILE:LINE: MODULE may not include HEADER (MODULE'), and exits 1
if there is any."""
import os
import re
import sys

# Module of a path (first match wins), and what each module may include.
MODULES = [
    ("sim/", "sim"),
    ("models/mls/vectors/", "mls_vectors"),
    ("models/mls/", "mls"),
    ("models/dmls/", "dmls"),
    ("models/matrix/stateres_cases.", "matrix_cases"),
    ("models/matrix/", "matrix"),
    ("models/device/", "device"),
    ("consensus/", "consensus"),
    ("scenarios/", "scenarios"),
    ("apps/", "apps"),
    ("bench/", "bench"),
    ("generated/", "generated"),
]
CORE = {"sim", "mls", "dmls", "matrix", "device", "consensus"}
MAY_USE = {
    "sim": {"sim"},
    "mls": {"mls"},
    "mls_vectors": {"mls_vectors", "mls"},
    "dmls": {"dmls", "mls", "sim"},
    "matrix": {"matrix", "sim"},
    "matrix_cases": {"matrix_cases", "matrix", "sim"},
    "device": {"device", "matrix", "dmls", "mls", "sim"},
    "consensus": {"consensus", "device", "matrix", "dmls", "mls", "sim"},
    "scenarios": CORE | {"scenarios", "matrix_cases", "generated"},
    "apps": CORE | {"apps", "scenarios", "matrix_cases", "mls_vectors", "generated"},
    "bench": CORE | {"bench", "scenarios", "matrix_cases", "mls_vectors"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def module_of(path):
    for prefix, name in MODULES:
        if path.startswith(prefix):
            return name
    return None


def check(root):
    problems = []
    for top in sorted({prefix.split("/")[0] for prefix, _ in MODULES}):
        for folder, _, files in sorted(os.walk(os.path.join(root, top))):
            for name in sorted(files):
                if not name.endswith((".hpp", ".cpp")):
                    continue
                full = os.path.join(folder, name)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                own = module_of(rel)
                if own is None or own not in MAY_USE:
                    continue
                with open(full, encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = module_of(m.group(1))
                        if target is not None and target not in MAY_USE[own]:
                            problems.append(f"{rel}:{number}: {own} may not include "
                                            f"{m.group(1)} ({target})")
    return problems


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    problems = check(sys.argv[1])
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) against the layers' arrows")
        return 1
    print("layers: every include follows the arrows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
