"""Runs the pandas snippet of docs/analysis.md against a fresh run and checks its answer against
a count made without pandas. Usage: check_analysis_snippet.py DMLSSIM SOURCE_DIR WORK_DIR"""
import csv
import re
import subprocess
import sys

dmlssim, source, work = sys.argv[1:4]
results = work + "/netsplit"
subprocess.run([dmlssim, "run", source + "/scenarios/matrix-netsplit.yaml", "--runs", "1",
                "--quiet", "--force", "--out", results], check=True, stdout=subprocess.DEVNULL)

text = open(source + "/docs/analysis.md", encoding="utf-8").read()
snippet = re.search(r"```python\n(.*?)```", text, re.S).group(1)
scope = {"RESULTS": results}
exec(snippet, scope)
answer = {side: int(n) for side, n in scope["per_side"].items()}

# The same question with the csv module only.
run = results + "/run-0000/"
side = {r["server"]: r["side_atlantic"] for r in csv.DictReader(open(run + "servers.csv"))}
times = {r["kind"]: float(r["time_s"]) for r in csv.DictReader(open(run + "faults.csv"))
         if r["target"] == "atlantic"}
expected = {}
for r in csv.DictReader(open(run + "matrix_action_log.csv")):
    t = float(r["time_s"])
    if r["action"] == "message" and r["outcome"] == "sent" and times["partition"] <= t < times["heal"]:
        expected[side[r["server"]]] = expected.get(side[r["server"]], 0) + 1
assert answer == expected, (answer, expected)
assert set(answer) == {"europe", "americas-asia"} and all(n > 0 for n in answer.values()), answer
print("analysis snippet: messages per side during the split", answer)
