#!/usr/bin/env python3
"""A STAND-IN for SkyPilot's `sky` command, for sweepwatch's integration tests. NOT SkyPilot.

It replays recorded outputs and records what it was asked. Installed as <root>/bin/sky, it reads
<root>/scenario.json, keeps its counters in <root>/state.json and appends each invocation's
argv as one JSON line to <root>/argv.jsonl (<root> may be overridden by SKY_STANDIN_ROOT).

scenario.json:
  {"version": "0.13.0",                      # printed by `sky --version`, as click does
   "unknownOptions": ["-o"],                  # emulate an older CLI: click's usage error, exit 2
   "rules": [{"match": ["jobs", "queue"],     # tokens that must appear in argv, in order
              "replies": [{"stdout": "...", "stderr": "...", "code": 0}, ...]}]}

The first matching rule answers with its next reply; the last reply repeats once they run out.
"""
import fcntl
import json
import os
import sys

ROOT = os.environ.get('SKY_STANDIN_ROOT') or os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
argv = sys.argv[1:]


def contains_in_order(needle, haystack):
    it = iter(haystack)
    return all(token in it for token in needle)


with open(os.path.join(ROOT, 'lock'), 'a') as lock:
    # sweepwatch calls sky serially, but a test may not: keep the counters consistent.
    fcntl.flock(lock, fcntl.LOCK_EX)
    with open(os.path.join(ROOT, 'argv.jsonl'), 'a', encoding='utf-8') as log:
        log.write(json.dumps(argv) + '\n')
    with open(os.path.join(ROOT, 'scenario.json'), encoding='utf-8') as f:
        scenario = json.load(f)
    for option in scenario.get('unknownOptions', []):
        if option in argv:
            sys.stderr.write("Usage: sky [OPTIONS] COMMAND [ARGS]...\nTry 'sky -h' for help.\n\n"
                             f"Error: No such option: {option}\n")
            sys.exit(2)
    if argv == ['--version']:
        print(f"skypilot, version {scenario.get('version', '0.0.0')}")
        sys.exit(0)
    state_path = os.path.join(ROOT, 'state.json')
    state = json.load(open(state_path, encoding='utf-8')) if os.path.exists(state_path) else {}
    for index, rule in enumerate(scenario.get('rules', [])):
        if not contains_in_order(rule['match'], argv):
            continue
        used = state.get(str(index), 0)
        replies = rule['replies']
        reply = replies[min(used, len(replies) - 1)]
        state[str(index)] = used + 1
        with open(state_path, 'w', encoding='utf-8') as f:
            json.dump(state, f)
        sys.stdout.write(reply.get('stdout', ''))
        sys.stderr.write(reply.get('stderr', ''))
        sys.exit(reply.get('code', 0))
sys.stderr.write(f'sky-standin: no rule for {argv}\n')
sys.exit(99)
