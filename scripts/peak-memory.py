#!/usr/bin/python3
"""Runs a command and reports the peak memory of every process it starts.

Usage: scripts/peak-memory.py [--interval S] [--json FILE] [--limit-mb MB] -- COMMAND ARGS...

Each process's peak is its VmHWM (the kernel's own high-water mark of resident memory), read
from /proc/PID/status until the process is gone. VmHWM only grows, so polling loses at most the
growth in the last interval before an exit, not a short spike between samples. This process makes
itself a child subreaper, so daemons that detach (MSBuild nodes, the Roslyn compiler server) stay
in the tree and are measured too.

The whole tree's memory at one moment: every sample (default every 0.1 s) sums, over the
neuronhost processes alive then (host and plugin workers), VmRSS and its two parts from
/proc/PID/status — RssAnon (private memory: GC heaps, native buffers, JIT code; what the
processes themselves cost) and RssFile (file-backed pages: the runtime's mapped assemblies and the
memory-mapped activation store shards, which the kernel can drop and re-read at any time, and which
two processes mapping the same shard each count in full although the page is in memory once).
The peak of each sum is reported with its moment and the processes that made it up (a worker is
named by the plugin assembly it has mapped). Sampled, so the peaks are lower bounds. --limit-mb
makes the exit code 3 when the summed VmRSS peak exceeds MB (after the command succeeded).

Why not /usr/bin/time -v: its "Maximum resident set size" is the largest single descendant that
was waited for, whichever it is, with no name attached.
"""
import ctypes
import json
import os
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def status_kb(pid):
    """(VmHWM, VmRSS, RssAnon, RssFile) in kB, or None once the process is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/status") as f:
            text = f.read()
    except OSError:
        return None
    fields = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem"):
            fields[key] = int(rest.split()[0])
    if "VmHWM" not in fields:
        return None
    # RssShmem (shared anonymous memory) is tiny here; count it with the file-backed pages.
    return (fields["VmHWM"], fields.get("VmRSS", 0), fields.get("RssAnon", 0),
            fields.get("RssFile", 0) + fields.get("RssShmem", 0))


def plugin_of(pid):
    """The plugin assembly a worker has mapped (plugins/NAME/...), or None for a spare worker."""
    try:
        with open(f"/proc/{pid}/maps") as f:
            for line in f:
                i = line.find("/plugins/")
                if i >= 0 and line.rstrip().endswith(".dll"):
                    name = line[i + len("/plugins/"):].split("/")[0]
                    if name and not name.startswith("NeuronHost.Sdk"):
                        return name
    except OSError:
        pass
    return None


def children_of(pids):
    """All processes whose parent is in pids (one pass over /proc)."""
    found = set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; the parent pid follows it.
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        if ppid in pids:
            found.add(int(name))
    return found


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def role(cmd):
    """A short name for the kinds of processes the demo starts."""
    if "plugin-worker" in cmd:
        return "neuronhost plugin worker"
    if "VBCSCompiler" in cmd:
        return "Roslyn compiler server (VBCSCompiler)"
    if "MSBuild.dll" in cmd and "nodemode" in cmd.lower():
        return "MSBuild node"
    if " build " in f" {cmd} " or "MSBuild.dll" in cmd:
        return "dotnet build"
    if "/neuronhost " in cmd or cmd.endswith("/neuronhost") or "NeuronHost.Cli" in cmd:
        return "neuronhost host"
    if cmd.startswith("npm") or "/npm" in cmd or "node " in cmd:
        return "npm"
    return "other"


def describe(sample, procs):
    """The processes of one sample, named: the host, or a worker with the plugin it has loaded."""
    rows = []
    for pid, rss, anon, file in sample:
        name = role(procs[pid]["cmd"])
        if name == "neuronhost plugin worker":
            name = f"worker: {plugin_of(pid) or 'spare (no plugin yet)'}"
        rows.append({"pid": pid, "name": name, "rss_kb": rss, "anon_kb": anon, "file_kb": file})
    return sorted(rows, key=lambda r: -r["rss_kb"])


def gb(kb):
    """/proc's kB are KiB; GB and MB here are 10^9 and 10^6 bytes."""
    return kb * 1024 / 1e9


def load():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def main():
    args = sys.argv[1:]
    interval, json_out, limit_mb = 0.1, None, None
    while args and args[0] != "--":
        if args[0] == "--interval":
            interval = float(args[1]); args = args[2:]
        elif args[0] == "--json":
            json_out = args[1]; args = args[2:]
        elif args[0] == "--limit-mb":
            limit_mb = float(args[1]); args = args[2:]
        else:
            sys.exit(f"peak-memory.py: unknown option {args[0]}")
    if not args or len(args) < 2:
        sys.exit("usage: peak-memory.py [--interval S] [--json FILE] [--limit-mb MB] -- COMMAND ARGS...")
    command = args[1:]

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("peak-memory.py: prctl(PR_SET_CHILD_SUBREAPER) failed")

    me = os.getpid()
    procs = {}  # pid -> dict(cmd, hwm, rss_max, start, end)
    loads = [load()]
    started = time.monotonic()
    child = subprocess.Popen(command)
    # Peaks of the summed VmRSS and of the summed RssAnon: (kB, seconds, [(pid, name, rss, anon, file)]).
    peak_rss = (0, 0.0, [])
    peak_anon = (0, 0.0, [])
    next_load = started + 10
    while True:
        now = time.monotonic()
        alive = children_of({me} | set(p for p, d in procs.items() if d["end"] is None))
        alive.discard(me)
        sample = []  # (pid, rss, anon, file) of the neuronhost processes alive now
        for pid in alive | set(p for p, d in procs.items() if d["end"] is None):
            kb = status_kb(pid)
            d = procs.get(pid)
            if kb is None:
                if d is not None and d["end"] is None:
                    d["end"] = now - started
                continue
            if d is None:
                d = procs[pid] = {"cmd": cmdline(pid), "hwm": 0, "rss_max": 0, "start": now - started, "end": None}
            # exec replaces the command line (the launcher script becomes the host): keep the latest.
            latest = cmdline(pid)
            if latest not in ("", "?"):
                d["cmd"] = latest
            d["hwm"] = max(d["hwm"], kb[0])
            d["rss_max"] = max(d["rss_max"], kb[1] or 0)
            if role(d["cmd"]).startswith("neuronhost"):
                sample.append((pid, kb[1], kb[2], kb[3]))
        rss_sum = sum(x[1] for x in sample)
        anon_sum = sum(x[2] for x in sample)
        if rss_sum > peak_rss[0]:
            peak_rss = (rss_sum, now - started, describe(sample, procs))
        if anon_sum > peak_anon[0]:
            peak_anon = (anon_sum, now - started, describe(sample, procs))
        if now >= next_load:
            loads.append(load()); next_load = now + 10
        # Reap every zombie (ours and adopted orphans) so their pids do not linger.
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid = 0
            if pid == 0:
                break
            if pid == child.pid:
                child.returncode = _ >> 8 if _ & 0x7F == 0 else -(_ & 0x7F)
        if child.returncode is not None:
            break
        time.sleep(interval)
    elapsed = time.monotonic() - started
    loads.append(load())

    rows = sorted(procs.items(), key=lambda kv: -kv[1]["hwm"])
    report = {
        "command": command, "exit": child.returncode, "seconds": round(elapsed, 1),
        "load_min": min(l[0] for l in loads), "load_max": max(l[0] for l in loads),
        "load_1min_samples": [l[0] for l in loads],
        "interval_s": interval,
        "peak_sum_rss_kb": peak_rss[0], "peak_sum_rss_at_s": round(peak_rss[1], 1), "peak_sum_rss_processes": peak_rss[2],
        "peak_sum_anon_kb": peak_anon[0], "peak_sum_anon_at_s": round(peak_anon[1], 1), "peak_sum_anon_processes": peak_anon[2],
        "processes": [{"pid": p, "role": role(d["cmd"]), "vmhwm_kb": d["hwm"], "start_s": round(d["start"], 1),
                       "end_s": None if d["end"] is None else round(d["end"], 1), "cmd": d["cmd"][:200]} for p, d in rows],
    }
    out = sys.stderr
    print(f"\npeak-memory: exit {report['exit']} after {elapsed:.1f} s, load average (1 min) "
          f"{report['load_min']:.1f}-{report['load_max']:.1f}", file=out)
    for r in report["processes"]:
        if r["vmhwm_kb"] < 20_000:
            continue
        print(f"  {gb(r['vmhwm_kb']):6.3f} GB  {r['role']:<40} pid {r['pid']:<7} "
              f"{r['start_s']:>7}-{r['end_s'] if r['end_s'] is not None else 'alive':>7} s  {r['cmd'][:90]}", file=out)
    for title, (kb, at, rows) in (("VmRSS", peak_rss), ("RssAnon", peak_anon)):
        print(f"  peak of summed {title} over host + workers alive together: {gb(kb):.3f} GB at {at:.1f} s "
              f"(every {interval} s, so a lower bound):", file=out)
        for r in rows:
            print(f"    {gb(r['rss_kb']):6.3f} GB RSS = {gb(r['anon_kb']):6.3f} anon + {gb(r['file_kb']):6.3f} file  "
                  f"{r['name']} (pid {r['pid']})", file=out)
    if json_out:
        with open(json_out, "w") as f:
            json.dump(report, f, indent=1)
    if child.returncode == 0 and limit_mb is not None and peak_rss[0] * 1024 > limit_mb * 1e6:
        print(f"peak-memory: summed VmRSS {gb(peak_rss[0]) * 1e3:.0f} MB exceeds --limit-mb {limit_mb:.0f}", file=out)
        return 3
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
