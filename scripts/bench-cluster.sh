#!/usr/bin/env bash
# The cluster table of docs/cluster.md: the same analysis (gpt2-mini-brown, UD English-EWT train,
# upos, layer 1 FFN, Probeless + Linear, linear probe at k = 1, 10, 50) run locally and on 1, 2
# and 3 silos on this machine (Redis and silos on loopback), plus 3 silos with one killed
# (kill -9) after its first shard. Each configuration runs ROUNDS times, interleaved (round 1 of
# every configuration, then round 2…), so that a change of machine load hits all of them; every
# run gets a fresh store cache (nothing reused) and fresh silos.
#
#   scripts/bench-cluster.sh [--sentences N] [--rounds R] [--shard-batches B] [--out FILE] [--configs "A B …"] [--rankings-only]
#
# --rankings-only drops the linear probe grid (k = 1, 10, 50 and the minimal-set search), which
# runs on the coordinator alone and would take most of a full-train run: the rankings remain
# (Linear still trains its own probe on every train row).
# --configs picks configurations (default: local 1-silo 2-silos 3-silos 3-silos-kill). Two more
# compare rows with class moments on 3 silos for Probeless alone (no probe):
# 3-silos-moments (top-contexts: 0, nothing needs rows, so only the silos' class moments travel)
# and 3-silos-rows (top-contexts: 5: the max-activating contexts need every row on the coordinator).
# Three run Probeless + Linear with no probe grid and top-contexts: 0, so that nothing needs the
# rows in one place: local-held (locally), 1-silo-held, 2-silos-held and 3-silos-held (Linear runs
# over the rows the silos keep, Probeless from their class moments; no row moves) and 3-silos-held-kill (silo c killed holding
# its second shard: its finished shard's rows die with it and that shard is extracted again).
# 1-silo-sent and 3-silos-sent run the held configurations' YAML with cluster-rows: coordinator
# (every row copied to the coordinator, Linear trained there): their baseline in the same run.
# local-grid, 1-silo-grid-held and 3-silos-grid-held run the whole analysis, probe grid included,
# over the EWT folder's train, dev and test files (--sentences N: N sentences in the files'
# proportions) with top-contexts: 0 (ignoring --rankings-only): the Linear ranking and every probe of the grid
# run over the rows the silos keep (train, dev and test); 3-silos-grid-sent is the same YAML with
# cluster-rows: coordinator (the grid runs on the coordinator over a copy of every row).
#
# Prints a markdown table (and writes it to FILE): per configuration the median and range of
# wall time, extraction time, the row bytes sent to the coordinator (results.json), the bytes
# that crossed loopback during the run (/proc/net/dev; an upper bound: other processes on the
# machine use loopback too) and the load average before and after each run.
# Needs: a Release build (dotnet build NeuronHost.sln -c Release), redis-server, ../shared.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${NEURONHOST_SHARED:-$(cd "$repo/.." && pwd)/shared}
exe=$repo/host/NeuronHost.Cli/bin/Release/net10.0/neuronhost
sentences=""; rounds=1; shard_batches=4; out=""; configs="local 1-silo 2-silos 3-silos 3-silos-kill"; rankings_only=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --sentences) sentences=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --shard-batches) shard_batches=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --configs) configs=$2; shift 2 ;;
    --rankings-only) rankings_only=1; shift ;;
    *) echo "error: unknown argument $1 (see the comment at the top of $0)" >&2; exit 1 ;;
  esac
done
[[ -x $exe ]] || { echo "error: $exe is not built: dotnet build NeuronHost.sln -c Release" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "error: redis-server is not installed (apt-get install redis-server)" >&2; exit 1; }
model=$shared/models/gpt2-mini-brown
corpus=$(ls "$shared"/corpora/ud-english-ewt/*train*.conllu 2>/dev/null | head -1)
[[ -d $model && -f $corpus ]] || { echo "error: needs $model and the EWT train file under $shared/corpora/ud-english-ewt" >&2; exit 1; }

work=$(mktemp -d /tmp/nh-bench-cluster-XXXXXX)
pids=(); keep=0
# Our own processes only, by pid; the folder stays when a run failed (its logs say why).
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; [[ $keep == 1 ]] || rm -rf "$work"; }
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
lo_bytes() { awk '/^ *lo:/ { printf "%.0f\n", $2 + $10 }' /proc/net/dev; }

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$redis_port) 2>/dev/null && break; sleep 0.1; done

cat >"$work/analysis.yaml" <<EOF
model: $model
corpus:
  path: $corpus
  format: conllu
${sentences:+  max-sentences: $sentences}
task:
  name: upos
layers: [1]
hook: mlp.hook_post
rankings:
  - plugin: probeless
  - plugin: linear
probes:
  - plugin: linear-probe
k-grid: [1, 10, 50]
seed: 1
EOF
# The whole analysis with the probe grid and nothing else that needs the rows (top-contexts: 0):
# the Linear ranking and every probe of the grid run over the rows the silos keep; and the same
# with every row copied to the coordinator (the grid then runs there), its baseline.
# These read the whole EWT folder (train, dev and test; --sentences takes that share of each), so
# that the probes stop early on dev and are scored on test, as in an analysis.
{ sed -e "s|^  path: .*|  path: $(dirname "$corpus")|" "$work/analysis.yaml"; echo "top-contexts: 0"; } >"$work/grid.yaml"
{ cat "$work/grid.yaml"; echo "cluster-rows: coordinator"; } >"$work/grid-sent.yaml"
if [[ $rankings_only == 1 ]]; then
  sed -i -e '/^probes:/,/^  - plugin: linear-probe/d' -e '/^k-grid/d' "$work/analysis.yaml"
fi
# Probeless + Linear, nothing that needs the rows in one place.
sed -e '/^probes:/,/^  - plugin: linear-probe/d' -e '/^k-grid/d' "$work/analysis.yaml" >"$work/held.yaml"
echo "top-contexts: 0" >>"$work/held.yaml"
# The same, with every row copied to the coordinator anyway (the baseline of the held configurations).
{ cat "$work/held.yaml"; echo "cluster-rows: coordinator"; } >"$work/sent.yaml"
# Probeless alone, without and with the max-activating contexts (which need the rows).
for contexts in 0 5; do
  sed -e '/^  - plugin: linear$/d' -e '/^probes:/,/^  - plugin: linear-probe/d' -e '/^k-grid/d' "$work/analysis.yaml" >"$work/probeless-$contexts.yaml"
  echo "top-contexts: $contexts" >>"$work/probeless-$contexts.yaml"
done

# start_silo NAME RUN [ARGS…]: starts a silo and waits for its ready line; its pid in $silo_pid.
start_silo() {
  local name=$1 run=$2 port gateway; shift 2
  port=$(free_port); gateway=$(free_port)
  NEURONHOST_STORES=$work/$run/silo-stores NEURONHOST_CONFIG=/nonexistent "$exe" cluster silo --redis 127.0.0.1:"$redis_port" \
    --port "$port" --gateway-port "$gateway" --name "$name" --store-dir "$work/$run/silo-$name" "$@" >"$work/$run/silo-$name.log" 2>&1 &
  silo_pid=$!; pids+=("$silo_pid")
  for _ in $(seq 1200); do grep -q "^silo $name ready" "$work/$run/silo-$name.log" && return 0; sleep 0.1; done
  echo "error: silo $name did not start; its log: $work/$run/silo-$name.log" >&2; exit 1
}

# run_config CONFIG ROUND: one run; appends a TSV row to $work/rows.tsv.
run_config() {
  local config=$1 round=$2 run="$1-$2" silos=0 kill_one=0 watcher="" yaml=$work/analysis.yaml
  mkdir -p "$work/$run"
  case $config in
    local) ;;
    1-silo) silos=1 ;; 2-silos) silos=2 ;; 3-silos) silos=3 ;;
    3-silos-kill) silos=3; kill_one=1 ;;
    3-silos-moments) silos=3; yaml=$work/probeless-0.yaml ;;
    3-silos-rows) silos=3; yaml=$work/probeless-5.yaml ;;
    local-held) yaml=$work/held.yaml ;;
    1-silo-held) silos=1; yaml=$work/held.yaml ;;
    2-silos-held) silos=2; yaml=$work/held.yaml ;;
    3-silos-held) silos=3; yaml=$work/held.yaml ;;
    3-silos-held-kill) silos=3; kill_one=1; yaml=$work/held.yaml ;;
    1-silo-sent) silos=1; yaml=$work/sent.yaml ;;
    3-silos-sent) silos=3; yaml=$work/sent.yaml ;;
    local-grid) yaml=$work/grid.yaml ;;
    1-silo-grid-held) silos=1; yaml=$work/grid.yaml ;;
    3-silos-grid-held) silos=3; yaml=$work/grid.yaml ;;
    3-silos-grid-sent) silos=3; yaml=$work/grid-sent.yaml ;;
    *) echo "error: unknown configuration $config" >&2; exit 1 ;;
  esac
  local names=(a b c) silo_pids=()
  for ((i = 0; i < silos; i++)); do
    # The silo to be killed holds its second shard (hidden --hold-shard), so the kill always lands mid-shard.
    if [[ $kill_one == 1 && $i == 2 ]]; then start_silo "${names[$i]}" "$run" --hold-shard 2; else start_silo "${names[$i]}" "$run"; fi
    silo_pids+=("$silo_pid")
  done
  local args=(run "$yaml" --out "$work/$run/out")
  [[ $silos -gt 0 ]] && args+=(--cluster "redis://127.0.0.1:$redis_port" --shard-batches "$shard_batches")
  if [[ $kill_one == 1 ]]; then
    # kill -9 silo c once it holds its second shard (it finished its first).
    ( while ! grep -q "^silo c: holding shard " "$work/$run/silo-c.log" 2>/dev/null; do sleep 0.1; done
      kill -9 "${silo_pids[2]}"; echo "killed silo c at $(date +%T)" >"$work/$run/killed" ) &
    watcher=$!; pids+=("$watcher")
  fi
  local load_before lo_before start end
  load_before=$(load); lo_before=$(lo_bytes); start=$(date +%s.%N)
  NEURONHOST_STORES=$work/$run/stores NEURONHOST_CONFIG=/nonexistent "$exe" "${args[@]}" >"$work/$run/stdout" 2>"$work/$run/stderr" \
    || { echo "error: $config round $round failed; see $work/$run/stderr" >&2; tail -5 "$work/$run/stderr" >&2; keep=1; exit 1; }
  end=$(date +%s.%N)
  local lo_after load_after
  lo_after=$(lo_bytes); load_after=$(load)
  for p in "${silo_pids[@]}" $watcher; do kill -9 "$p" 2>/dev/null || true; done
  if [[ $kill_one == 1 && ! -f $work/$run/killed ]]; then
    echo "error: $config round $round: silo c never got a second shard, so it was not killed (too few shards: more sentences or a smaller --shard-batches)" >&2; keep=1; exit 1
  fi
  /usr/bin/python3 - "$work/$run/out/results.json" "$config" "$round" "$start" "$end" "$((lo_after - lo_before))" "$load_before" "$load_after" >>"$work/rows.tsv" <<'PY'
import json, sys
path, config, rnd, start, end, lo, lb, la = sys.argv[1:]
r = json.load(open(path))
c = r.get("cluster") or {}
t = {x.get("stage", x.get("Stage")): x.get("seconds", x.get("Seconds")) for x in r.get("timings") or []}
extract = t.get("extract")
print("\t".join(map(str, [config, rnd, round(float(end) - float(start), 1), extract if extract is not None else "", c.get("bytesReceived", 0),
                          lo, len(c.get("lostSilos", [])), len(c.get("reassignedShards", [])), lb, la,
                          c.get("momentBytesReceived", 0), c.get("labelBytesSent", 0),
                          c.get("heldRowsMessages", 0), c.get("heldRowsBytesSent", 0), c.get("heldRowsBytesReceived", 0)])))
PY
  rm -rf "$work/$run/stores" "$work/$run/silo-stores"
}

for ((r = 1; r <= rounds; r++)); do
  for config in $configs; do
    echo "[$(date +%T)] $config, round $r (load $(load))" >&2
    run_config "$config" "$r"
  done
done

/usr/bin/python3 - "$work/rows.tsv" "${sentences:-all}" "$rounds" "$shard_batches" "$(nproc)" "$rankings_only" <<'PY' | tee ${out:+"$out"}
import statistics, sys
from collections import defaultdict
path, sentences, rounds, shard_batches, cores, rankings_only = sys.argv[1:]
rows = defaultdict(list)
for line in open(path):
    f = line.rstrip("\n").split("\t")
    rows[f[0]].append(f)
def spread(values):
    v = sorted(values)
    return f"{statistics.median(v):.1f}" + (f" ({v[0]:.1f}–{v[-1]:.1f})" if len(v) > 1 else "")
base = None
print(f"EWT train (the -grid configurations: EWT train, dev and test), {sentences} sentences{'; rankings only (no probe grid)' if rankings_only == '1' else ''}; {rounds} round(s) interleaved; {shard_batches} batches of 16 sentences per shard; {cores} cores\n")
print("| configuration | wall time, s | extraction, s | row bytes to the coordinator | class-moment bytes to the coordinator / train-label bytes to the silos | ranking and probes over held rows: messages, bytes to / from the silos | loopback bytes during the run (upper bound) | lost silos / shards reassigned | load average before → after (1/5/15 min) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for config, fs in rows.items():
    wall = [float(f[2]) for f in fs]
    ext = [float(f[3]) for f in fs if f[3]]
    held = f"{int(fs[0][12]):,}, {int(fs[0][13]):,} / {int(fs[0][14]):,}" if int(fs[0][12]) else "—"
    print(f"| {config} | {spread(wall)} | {spread(ext) if ext else ''} | {int(fs[0][4]):,} | {int(fs[0][10]):,} / {int(fs[0][11]):,} | {held} | {spread([int(f[5]) / 1e6 for f in fs])} MB | {fs[0][6]} / {fs[0][7]} | "
          + "; ".join(f"{f[8]} → {f[9]}" for f in fs) + " |")
if "3-silos" in rows and "3-silos-kill" in rows:
    a = statistics.median(float(f[2]) for f in rows["3-silos"]); b = statistics.median(float(f[2]) for f in rows["3-silos-kill"])
    print(f"\nA silo killed holding its second shard adds {b - a:+.1f} s of wall time to the 3-silo run (medians).")
if "3-silos-held" in rows and "3-silos-held-kill" in rows:
    a = statistics.median(float(f[2]) for f in rows["3-silos-held"]); b = statistics.median(float(f[2]) for f in rows["3-silos-held-kill"])
    print(f"\nWith the rows kept on the silos, a silo killed holding its second shard adds {b - a:+.1f} s of wall time (medians).")
PY
