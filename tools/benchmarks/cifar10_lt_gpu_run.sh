#!/usr/bin/env bash
# Full 200-epoch BBN and plain-CE ResNet-32 on CIFAR-10-LT IF 100, side by
# side on one GPU, after a GPU step benchmark (two-pass vs joint pass).
#
# Usage: bash tools/benchmarks/cifar10_lt_gpu_run.sh OUT_DIR [EPOCHS] [-- CFG_OPTIONS...]
#   Expects data/cifar10/cifar-10-batches-py (a re-encoded copy is fine:
#   md5 checks are switched off). Writes OUT_DIR/{step_gpu.json,bbn,ce,
#   summary.json,runs.log}. TRAIN_TIMEOUT (s, default 520) bounds each run;
#   BBN_OPTS / CE_OPTS add options to one run only (smoke tests).
set -u
OUT=$1; EPOCHS=${2:-200}; shift 2 || shift $#
[ "${1:-}" = "--" ] && shift
EXTRA=("$@")
PY=${PYTHON:-python3}
mkdir -p "$OUT"
log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$OUT/runs.log"; }

log "device: $(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || echo cpu)"
DEVICE=$($PY -c 'import torch; print("cuda" if torch.cuda.is_available() else "cpu")')
timeout 120 $PY tools/benchmarks/step_benchmark.py --device "$DEVICE" \
    --steps 40 --repeats 3 --out "$OUT/step_gpu.json" 2>&1 | grep "^step" | tee -a "$OUT/runs.log"

NO_MD5=(train_dataloader.dataset.dataset.check_md5=False
        val_dataloader.dataset.check_md5=False
        test_dataloader.dataset.check_md5=False)
COMMON=(train_cfg.max_epochs=$EPOCHS env_cfg.cudnn_benchmark=True
        train_dataloader.num_workers=6 val_dataloader.num_workers=2
        val_dataloader.batch_size=1000 default_hooks.logger.interval=100)
train() {  # name config extra-options...
    local name=$1 cfg=$2; shift 2
    local start=$(date +%s)
    OMP_NUM_THREADS=2 timeout "${TRAIN_TIMEOUT:-520}" $PY tools/train.py "$cfg" \
        --work-dir "$OUT/$name" --cfg-options "${COMMON[@]}" "$@" "${EXTRA[@]}" \
        > "$OUT/$name.log" 2>&1
    local rc=$?
    log "$name: exit $rc after $(( $(date +%s) - start )) s"
}
train bbn configs/bbn/bbn_resnet32_1xb128-200e_cifar10-lt-ir100.py \
    "${NO_MD5[@]}" ${BBN_OPTS:-} &
train ce configs/baselines/ce/resnet32_1xb128-200e_cifar10-lt-ir100.py \
    "${NO_MD5[@]}" ${CE_OPTS:-} &
wait
$PY tools/benchmarks/summarize_runs.py "$OUT/bbn" "$OUT/ce" \
    --out "$OUT/summary.json" 2>&1 | tee -a "$OUT/runs.log"
