"""BBN's alpha (and lr, validation top-1) over training, as a PNG.

Reads MMEngine's scalar log of a run (``vis_data/scalars.json`` of
``LocalVisBackend``). Give a run dir (``{work_dir}/{timestamp}``), its
``scalars.json``, or a work dir: then its newest run is read, and the
tool says which. A run that resumed others (its ``best_last.json`` lists
them) is drawn over its whole training.

Usage:
    python tools/analysis_tools/plot_alpha.py RUN_OR_WORK_DIR
        [--out alpha.png] [--title TITLE]
"""
import argparse
import os.path as osp
import sys
from typing import Dict, List, Optional

TOOLS = osp.dirname(osp.dirname(osp.abspath(__file__)))
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

from utils.records import SCALARS, find_run, run_scalars  # noqa: E402


def plot_alpha(records: List[Dict[str, float]],
               out_file: str,
               title: Optional[str] = None,
               key: str = 'alpha',
               val_key: str = 'lt/top1') -> str:
    """BBN's alpha over training, with the learning rate and top-1.

    Top: ``alpha`` (and ``lr`` on a log right axis) against the
    iteration; bottom, when the records hold validation results: ``lt/
    top1`` against the validation step (epoch).

    Args:
        records (list[dict]): MMEngine's scalar records.
        out_file (str): The PNG to write.
        title (str, optional): Title.
        key (str): The alpha field. Defaults to ``'alpha'``.
        val_key (str): The validation field. Defaults to ``'lt/top1'``.

    Returns:
        str: ``out_file``.
    """
    import numpy as np

    from utils.plots import GROUP_COLOURS, agg_pyplot, save_figure
    plt = agg_pyplot()
    train = [r for r in records if key in r]
    if not train:
        raise ValueError(f'no record has {key!r}: is this the log of a BBN '
                         'run (CumulativeAlphaHook, log_processor keeping '
                         "alpha)?")
    steps = np.array([r.get('iter', r.get('step', i))
                      for i, r in enumerate(train)], np.float64)
    alpha = np.array([r[key] for r in train], np.float64)
    val = [r for r in records if val_key in r and key not in r]
    fig, axes = plt.subplots(
        2 if val else 1, 1, figsize=(7, 6 if val else 3.8), squeeze=False)
    ax = axes[0, 0]
    ax.plot(steps, alpha, color='#3f5f7f', lw=1.8, label='alpha')
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel('iteration')
    ax.set_ylabel('alpha (conventional-branch weight)')
    if all('lr' in r for r in train):
        twin = ax.twinx()
        twin.plot(steps, [r['lr'] for r in train], color='#e6550d',
                  lw=1.0, ls='--', label='lr')
        twin.set_yscale('log')
        twin.set_ylabel('learning rate', color='#e6550d')
        twin.tick_params(axis='y', colors='#e6550d')
        twin.legend(loc='lower left', fontsize=8)
    ax.legend(loc='upper right', fontsize=8)
    ax.set_title(title or f'alpha over training (last {alpha[-1]:.3f})')
    if val:
        vax = axes[1, 0]
        vsteps = [r.get('step', i + 1) for i, r in enumerate(val)]
        vax.plot(vsteps, [r[val_key] for r in val], marker='o', ms=3,
                 color='#2b8cbe', label=val_key)
        for extra, colour in (('lt/class_avg', '#31a354'),
                              ('lt/few', GROUP_COLOURS['few'])):
            if all(extra in r for r in val):
                vax.plot(vsteps, [r[extra] for r in val], marker='.',
                         lw=1, ls='--', color=colour, label=extra)
        vax.set_xlabel('validation (epoch)')
        vax.set_ylabel('accuracy (%)')
        vax.legend(fontsize=8)
        fig.tight_layout()
    return save_figure(fig, out_file)


def main(argv=None) -> None:
    """Parse the command line, say which run is read, and draw."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('run', help='a run dir, its scalars.json, or a '
                        'work dir (its newest run)')
    parser.add_argument('--out', help='PNG file (default: in the run dir, '
                        'alpha.png)')
    parser.add_argument('--title', help='title of the figure')
    args = parser.parse_args(argv)
    try:
        run, note = find_run(args.run, SCALARS)
        records, runs = run_scalars(run)
        out = args.out or osp.join(run, 'alpha.png')
        plot_alpha(records, out, args.title)
    except (FileNotFoundError, ValueError) as e:
        raise SystemExit(f'plot_alpha: {e}') from None
    print(f'plot_alpha: {note}' + (
        f' (over {len(runs)} runs: it resumed {", ".join(runs[:-1])})'
        if len(runs) > 1 else ''))
    print(f'alpha plot of {osp.join(run, SCALARS)} written to {out}')


if __name__ == '__main__':
    main()
