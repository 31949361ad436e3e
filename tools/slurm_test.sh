#!/usr/bin/env bash
# Test a checkpoint on a Slurm cluster, one task per GPU:
#
#   GPUS=8 bash tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT \
#       [test.py arguments ...]
#
# GPUS, GPUS_PER_NODE, CPUS_PER_TASK, GRES, SRUN_ARGS and PYTHON as in
# tools/slurm_train.sh (GRES= on a cluster without GPUs).
set -x
if [ $# -lt 4 ]; then
    echo "usage: bash $0 PARTITION JOB_NAME CONFIG CHECKPOINT [args ...]" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
CHECKPOINT=$4
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
    "$PYTHON" -u "$(dirname "$0")/test.py" "${CONFIG}" "${CHECKPOINT}" \
    --launcher="slurm" "${@:5}"
