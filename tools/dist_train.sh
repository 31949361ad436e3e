#!/usr/bin/env bash
# Train with NUM_PROCS processes on this machine (one per GPU; on a machine
# without GPUs, CPU processes joined by gloo), through torchrun:
#
#   bash tools/dist_train.sh CONFIG NUM_PROCS [train.py arguments ...]
#
# Several machines: run it on each with NNODES, NODE_RANK, MASTER_ADDR and
# PORT set. PYTHON picks the interpreter (default: the python of the
# activated environment).
if [ $# -lt 2 ]; then
    echo "usage: bash $0 CONFIG NUM_PROCS [train.py arguments ...]" >&2
    exit 2
fi
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
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
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --master_port="$PORT" \
    --nproc_per_node="$GPUS" \
    "$(dirname "$0")/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
