"""Prepare a checkpoint of a training run for the model zoo.

Usage:
    python tools/model_converters/publish_model.py IN_FILE OUT_FILE

Keeps the weights and the run's ``meta`` (config, epoch, dataset classes)
and drops everything that only resumes training (optimizer, schedulers,
message hub, ...), so the file loads with plain
``torch.load(..., weights_only=True)``. The result is written as
``{OUT_FILE without .pth}_{YYYYMMDD}-{first 8 hex digits of its sha256}.pth``,
the OpenMMLab model-zoo naming; the path is printed.
"""
import argparse
import datetime
import hashlib
import os
import os.path as osp
from typing import List, Optional

import torch

import mmbbn
from mmbbn.utils import safe_torch_load


def publish(in_file: str, out_file: str,
            date: Optional[str] = None) -> str:
    """Write the published checkpoint.

    Args:
        in_file (str): A checkpoint of a training run.
        out_file (str): Name to publish under (``.pth`` optional).
        date (str, optional): ``YYYYMMDD``; today by default.

    Returns:
        str: Path of the published file.
    """
    ckpt = safe_torch_load(in_file, map_location='cpu')
    if not isinstance(ckpt, dict) or 'state_dict' not in ckpt:
        raise SystemExit(f'{in_file}: no state_dict; not a checkpoint of a '
                         'training run')
    meta = dict(ckpt.get('meta') or {})
    meta.setdefault('mmbbn_version', mmbbn.__version__)
    stem = out_file[:-4] if out_file.endswith('.pth') else out_file
    tmp = f'{stem}.tmp.pth'
    torch.save({'state_dict': ckpt['state_dict'], 'meta': meta}, tmp)
    with open(tmp, 'rb') as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    date = date or datetime.datetime.now().strftime('%Y%m%d')
    final = f'{stem}_{date}-{sha[:8]}.pth'
    os.replace(tmp, final)
    return final


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Prepare a checkpoint for the model zoo')
    parser.add_argument('in_file', help='checkpoint of a training run')
    parser.add_argument('out_file', help='name to publish under')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    """Publish ``in_file`` as ``out_file``."""
    args = parse_args(argv)
    out_dir = osp.dirname(osp.abspath(args.out_file))
    if not osp.isdir(out_dir):
        raise SystemExit(f'{out_dir}: output folder does not exist')
    print(f'Published {publish(args.in_file, args.out_file)}')


if __name__ == '__main__':
    main()
