#!/usr/bin/python3
"""Runs a command and reports the peak memory of every process it starts.

Usage: scripts/peak-memory.py [--interval S] [--json FILE] -- COMMAND ARGS...

Each process's peak is its VmHWM (the kernel's own high-water mark of resident memory), read
from /proc/PID/status until the process is gone. VmHWM only grows, so polling loses at most the
growth in the last interval before an exit, not a short spike between samples. This process makes
itself a child subreaper, so daemons that detach (MSBuild nodes, the Roslyn compiler server) stay
in the tree and are measured too. Also reported: the largest sum of VmRSS over the processes
alive at one sample (sampled, so a lower bound of the concurrent peak), and the load average.

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
    """(VmHWM, VmRSS) in kB, or None once the process is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/status") as f:
            text = f.read()
    except OSError:
        return None
    hwm = rss = None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
        elif line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    return None if hwm is None else (hwm, rss)


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


def load():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def main():
    args = sys.argv[1:]
    interval, json_out = 0.1, None
    while args and args[0] != "--":
        if args[0] == "--interval":
            interval = float(args[1]); args = args[2:]
        elif args[0] == "--json":
            json_out = args[1]; args = args[2:]
        else:
            sys.exit(f"peak-memory.py: unknown option {args[0]}")
    if not args or len(args) < 2:
        sys.exit("usage: peak-memory.py [--interval S] [--json FILE] -- COMMAND ARGS...")
    command = args[1:]

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("peak-memory.py: prctl(PR_SET_CHILD_SUBREAPER) failed")

    me = os.getpid()
    procs = {}  # pid -> dict(cmd, hwm, rss_max, start, end)
    loads = [load()]
    started = time.monotonic()
    child = subprocess.Popen(command)
    max_sum = (0, 0.0, [])  # (kB, seconds, pids)
    next_load = started + 10
    while True:
        now = time.monotonic()
        alive = children_of({me} | set(p for p, d in procs.items() if d["end"] is None))
        alive.discard(me)
        sample_sum, sample_pids = 0, []
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
                sample_sum += kb[1] or 0
                sample_pids.append(pid)
        if sample_sum > max_sum[0]:
            max_sum = (sample_sum, now - started, sample_pids)
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
        "max_concurrent_neuronhost_rss_kb": max_sum[0], "max_concurrent_at_s": round(max_sum[1], 1),
        "processes": [{"pid": p, "role": role(d["cmd"]), "vmhwm_kb": d["hwm"], "start_s": round(d["start"], 1),
                       "end_s": None if d["end"] is None else round(d["end"], 1), "cmd": d["cmd"][:200]} for p, d in rows],
    }
    out = sys.stderr
    print(f"\npeak-memory: exit {report['exit']} after {elapsed:.1f} s, load average (1 min) "
          f"{report['load_min']:.1f}-{report['load_max']:.1f}", file=out)
    for r in report["processes"]:
        if r["vmhwm_kb"] < 20_000:
            continue
        print(f"  {r['vmhwm_kb'] / 1e6:6.3f} GB  {r['role']:<40} pid {r['pid']:<7} "
              f"{r['start_s']:>7}-{r['end_s'] if r['end_s'] is not None else 'alive':>7} s  {r['cmd'][:90]}", file=out)
    print(f"  largest sum of VmRSS over neuronhost processes alive together: "
          f"{max_sum[0] / 1e6:.3f} GB at {max_sum[1]:.0f} s ({len(max_sum[2])} processes)", file=out)
    if json_out:
        with open(json_out, "w") as f:
            json.dump(report, f, indent=1)
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
