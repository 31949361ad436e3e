#!/usr/bin/env bash
# Test a checkpoint with NUM_PROCS processes on this machine (one per GPU;
# CPU processes joined by gloo where there is no GPU), through torchrun:
#
#   bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [test.py arguments]
#
# Several machines: NNODES, NODE_RANK, MASTER_ADDR and PORT, as for
# dist_train.sh. PYTHON picks the interpreter (default: the python of the
# activated environment).
if [ $# -lt 3 ]; then
    echo "usage: bash $0 CONFIG CHECKPOINT NUM_PROCS [test.py arguments]" >&2
    exit 2
fi
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
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
    "$(dirname "$0")/test.py" \
    "$CONFIG" \
    "$CHECKPOINT" \
    --launcher pytorch "${@:4}"
