#!/usr/bin/env bash
# A Slurm cluster of two nodes on this one machine, and Suanli launched by `srun` on it: what
# `make test-slurm` runs (root; installs slurm-wlm and munge). slurmctld and two slurmd
# ("node1", "node2", both 127.0.0.1 on their own ports), each slurmd in a private mount
# namespace with its own /tmp (Slurm's PMIx plugin keeps a step's files in /tmp under a name
# that two nodes on one host would share). Then:
#   srun -N 2 --ntasks-per-node=2 --mpi=pmix suanli run <suite>
# must give one report of 2 nodes × 2 ranks, launcher "srun (Slurm)", each node's own STREAM,
# distributed HPL on 2×2 and MPI ping-pong across the nodes, that verifies; and a rank killed
# mid-run must leave a signed partial report naming its node. Everything is stopped and
# removed at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${SUANLI_BIN:-$PWD/.build/release/suanli}
[[ $(id -u) -eq 0 ]] || { echo "check-slurm: needs root (it starts Slurm's daemons)" >&2; exit 1; }
base=$(mktemp -d /var/tmp/suanli-slurm.XXXXXX)
export SLURM_CONF=$base/slurm.conf
cleanup() {
  scontrol shutdown >/dev/null 2>&1
  sleep 1
  for pid in "$base"/*.pid; do [[ -f $pid ]] && kill "$(cat "$pid")" 2>/dev/null; done
  rm -rf "$base"
}
trap cleanup EXIT
mkdir -p "$base"/{state,log,spool/node1,spool/node2,tmp-node1,tmp-node2,config}
host=$(hostname -s)
cat > "$SLURM_CONF" <<CONF
ClusterName=suanli-check
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=${SLURMCTLD_PORT:-16817}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$base/state
SlurmdSpoolDir=$base/spool/%n
SlurmctldPidFile=$base/slurmctld.pid
SlurmdPidFile=$base/slurmd-%n.pid
SlurmctldLogFile=$base/log/slurmctld.log
SlurmdLogFile=$base/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=pmix
NodeName=node1 NodeHostname=$host NodeAddr=127.0.0.1 Port=${SLURMD_PORT:-16818} CPUs=$(nproc) State=UNKNOWN
NodeName=node2 NodeHostname=$host NodeAddr=127.0.0.1 Port=$((${SLURMD_PORT:-16818} + 1)) CPUs=$(nproc) State=UNKNOWN
PartitionName=check Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
if ! pgrep -x munged >/dev/null; then
  mkdir -p /run/munge && chown munge:munge /run/munge
  su -s /bin/sh munge -c /usr/sbin/munged || { echo "check-slurm: munged did not start" >&2; exit 1; }
fi
slurmctld -f "$SLURM_CONF" || exit 1
for node in node1 node2; do
  unshare -m --propagation private sh -c \
    "mount --bind $base/tmp-$node /tmp && exec slurmd -f $SLURM_CONF -N $node" || exit 1
done
for _ in $(seq 30); do
  [[ $(sinfo -h -o %t 2>/dev/null | sort -u) == idle ]] && break
  sleep 1
done
sinfo
export XDG_CONFIG_HOME=$base/config OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include=lo
"$BIN" keygen --name slurm-check >/dev/null
cat > "$base/cluster.yaml" <<'SUITE'
name: slurm-check
benchmarks:
  - { id: stream.triad, repeats: 2, parameters: { elements: 500000 } }
  - { id: hpl.fp64, parameters: { n: 800, nb: 32, scope: job } }
  - { id: mpi.pingpong, parameters: { scale: 0.01, maxSize: 4096 } }
SUITE
cat > "$base/die.yaml" <<'SUITE'
name: slurm-die
benchmarks:
  - { id: stream.copy, repeats: 2, parameters: { elements: 100000 } }
  - { id: test.mpi.die, parameters: { afterSeconds: 0.5 } }
  - { id: mpi.barrier, parameters: { scale: 0.01 } }
SUITE
status=0
timeout 300 srun -N 2 --ntasks-per-node=2 "$BIN" run "$base/cluster.yaml" --output "$base/cluster.json" \
  > "$base/cluster.out" 2>&1 || { echo "srun run failed:"; tail -20 "$base/cluster.out"; status=1; }
SUANLI_TEST_BENCHMARKS=1 timeout 300 srun -N 2 --ntasks-per-node=2 "$BIN" run "$base/die.yaml" \
  --output "$base/die.json" > "$base/die.out" 2>&1
"$BIN" verify "$base/cluster.json" "$base/die.json" || status=1
/usr/bin/python3 - "$base" <<'PY' || status=1
import json, sys
base = sys.argv[1]
report = json.load(open(f"{base}/cluster.json"))
job = report["job"]
checks = [
    ("2 nodes, 4 ranks, 2 per node", (job["nodes"], job["ranks"], job["ranksPerNode"]) == (2, 4, [2, 2])),
    ("launcher srun (Slurm)", job["launcher"] == "srun (Slurm)"),
    ("Slurm's environment recorded", job["environment"].get("SLURM_NNODES") == "2"),
]
placed = [f"{r['id']} {r.get('scope', '-')} {r.get('node', '-')} {r['status']}" for r in report["results"]]
checks.append(("each node's STREAM, distributed HPL, ping-pong: " + ", ".join(placed), placed == [
    "stream.triad node 0 ok", "stream.triad node 1 ok", "hpl.fp64 job - ok", "mpi.pingpong job - ok"]))
died = json.load(open(f"{base}/die.json"))
notes = next(r for r in died["results"] if r["id"] == "test.mpi.die").get("notes", [""])
checks.append((f"a killed rank's partial report names its node: {notes[0][:120]}", died["complete"] is False and "on node 1" in notes[0]))
failed = False
for text, passed in checks:
    print(("PASS " if passed else "FAIL ") + text)
    failed |= not passed
sys.exit(1 if failed else 0)
PY
[[ $status -eq 0 ]] && echo "srun: PASS" || echo "srun: FAIL"
exit $status
