#!/usr/bin/env bash
# Train on a Slurm cluster, one task per GPU:
#
#   GPUS=16 GPUS_PER_NODE=8 bash tools/slurm_train.sh PARTITION JOB_NAME \
#       CONFIG WORK_DIR [train.py arguments ...]
#
# GPUS: tasks in all (default 8); GPUS_PER_NODE: tasks per node (default
# 8); CPUS_PER_TASK (default 5); SRUN_ARGS: more srun options. GRES is the
# generic resource asked per node (default gpu:GPUS_PER_NODE); set it empty
# (GRES=) on a cluster without GPUs, where the tasks train on CPUs with
# gloo. PYTHON picks the interpreter (default: the python of the
# activated environment).
set -x
if [ $# -lt 4 ]; then
    echo "usage: bash $0 PARTITION JOB_NAME CONFIG WORK_DIR [args ...]" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=$4
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
GRES=${GRES-gpu:${GPUS_PER_NODE}}
SRUN_ARGS=${SRUN_ARGS:-""}
PYTHON=${PYTHON:-python}
# The interpreter mmbbn is installed in: an activated environment's python,
# or PYTHON. Checked here, in a line, rather than deep in a traceback.
if ! "$PYTHON" -c 'import importlib.util as u, sys
sys.exit(u.find_spec("torch") is None)' 2>/dev/null; then
    echo "$(basename "$0"): '$PYTHON' is not a Python with torch; activate" \
        "the environment mmbbn is installed in (. .venv/bin/activate) or" \
        "set PYTHON=/path/to/python" >&2
    exit 2
fi

PYTHONPATH="$(dirname "$0")/..${PYTHONPATH:+:$PYTHONPATH}" \
srun -p "${PARTITION}" \
    --job-name="${JOB_NAME}" \
    ${GRES:+--gres="${GRES}"} \
    --ntasks="${GPUS}" \
    --ntasks-per-node="${GPUS_PER_NODE}" \
    --cpus-per-task="${CPUS_PER_TASK}" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS} \
    "$PYTHON" -u "$(dirname "$0")/train.py" "${CONFIG}" \
    --work-dir="${WORK_DIR}" --launcher="slurm" "${@:5}"
