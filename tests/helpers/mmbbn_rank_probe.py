"""A test-only hook: what each rank of a distributed run saw, as JSON.

Launch tests put this folder on ``PYTHONPATH`` and load the hook with
``custom_imports=dict(imports=['mmbbn', 'mmbbn_rank_probe'])``. Each rank
writes ``rank{RANK}.json`` into ``out_dir``: the world it was part of, the
Slurm task it ran as (if any), alpha and the sample indices of both halves
of every training batch, and a checksum of the weights at the end.
"""
import json
import os
import os.path as osp

import torch
from mmengine.dist import get_dist_info
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmbbn.registry import HOOKS


def _indices(samples) -> list:
    return [int(s.sample_idx) for s in samples]


@HOOKS.register_module()
class RankProbeHook(Hook):
    """Records every training step of this rank.

    Args:
        out_dir (str): Where ``rank{RANK}.json`` goes.
    """

    # After CumulativeAlphaHook (NORMAL) has set alpha for the step.
    priority = 'LOW'

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir
        self.steps = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        # A collated BranchPair of two batches, each with its data samples.
        halves = data_batch
        self.steps.append(
            dict(
                epoch=runner.epoch,
                iter=runner.iter,
                alpha=model.head.alpha,
                conventional=_indices(halves.conventional['data_samples']),
                rebalancing=_indices(halves.rebalancing['data_samples'])))

    def after_train(self, runner):
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        with torch.no_grad():
            checksum = float(
                sum(p.double().abs().sum() for p in model.parameters()))
        rank, world_size = get_dist_info()
        os.makedirs(self.out_dir, exist_ok=True)
        with open(osp.join(self.out_dir, f'rank{rank}.json'), 'w') as f:
            json.dump(
                dict(
                    rank=rank,
                    world_size=world_size,
                    wrapped=is_model_wrapper(runner.model),
                    slurm_procid=os.environ.get('SLURM_PROCID'),
                    slurm_job_id=os.environ.get('SLURM_JOB_ID'),
                    cuda_visible_devices=os.environ.get(
                        'CUDA_VISIBLE_DEVICES'),
                    steps=self.steps,
                    checksum=checksum), f)
