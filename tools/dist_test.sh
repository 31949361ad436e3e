#!/usr/bin/env bash
# Test a checkpoint with NUM_PROCS processes on this machine (one per GPU;
# CPU processes joined by gloo where there is no GPU), through torchrun:
#
#   bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [test.py arguments]
#
# Several machines: NNODES, NODE_RANK, MASTER_ADDR and PORT, as for
# dist_train.sh. PYTHON picks the interpreter (default: python).
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
