"""Experiment files and the README tables rendered from them."""
import json
import os.path as osp
import shutil
import sys

import pytest

from ..conftest import REPO, TOOLS

if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

from utils.results import (add_runs, load_experiment,  # noqa: E402
                           methods_table, regenerate, run_record)

RESULTS = osp.join(REPO, 'docs', 'results')


def tables_tool():
    import runpy
    return runpy.run_path(osp.join(TOOLS, 'analysis_tools',
                                   'results_tables.py'))['main']


def test_the_readmes_are_up_to_date_with_the_results_files(capsys):
    assert tables_tool()(['--check']) == 0
    out = capsys.readouterr().out
    assert 'results_tables: ' in out and 'all up to date' in out
    # Every measured table of the READMEs is generated (none typed).
    generated = 0
    for name in ('bbn', 'baselines', 'decoupling', 'observation'):
        text = open(osp.join(REPO, 'configs', name, 'README.md')).read()
        generated += text.count('<!-- results-table ')
        assert text.count('<!-- results-table ') == text.count(
            '<!-- /results-table -->')
    assert generated >= 10


def test_a_stale_table_is_found_and_rewritten(tmp_path, capsys):
    readme = tmp_path / 'README.md'
    shutil.copy(osp.join(REPO, 'configs', 'observation', 'README.md'),
                readme)
    text = readme.read_text()
    assert '| CE | 6.00 | 4.40 | **3.80** |' in text
    readme.write_text(text.replace('| CE | 6.00 |', '| CE | 6.50 |'))
    main = tables_tool()
    assert main([str(readme), '--check']) == 1
    assert 'results_tables: out of date:' in capsys.readouterr().out
    assert main([str(readme)]) == 0
    assert readme.read_text() == text


def test_experiment_files_hold_one_record_per_run():
    header, runs = load_experiment(osp.join(RESULTS,
                                            'cifar10_lt_ir100_20e.jsonl'))
    assert header['experiment'] == 'cifar10_lt_ir100_20e'
    assert len(header['commands']) == 1
    assert sorted((r['method'], r['seed']) for r in runs) == [
        (m, s) for m in ('bbn', 'ce', 'ce-drw-bbn-schedule')
        for s in (0, 1, 2)]
    bbn = next(r for r in runs if (r['method'], r['seed']) == ('bbn', 0))
    assert bbn['config'] == ('configs/bbn/'
                             'bbn_resnet32_1xb128-200e_cifar10-lt-ir100.py')
    assert bbn['last']['epoch'] == 20 and bbn['best']['epoch'] == 16
    assert bbn['val']['epoch'] == list(range(2, 21, 2))
    assert bbn['val']['lt/top1'][-1] == bbn['last']['lt/top1']
    assert bbn['train']['epoch'] == list(range(1, 21))
    # alpha = 1 - ((e - 1) / 20) ** 2, logged in the last iteration of e.
    assert bbn['train']['alpha'] == pytest.approx(
        [1 - ((e - 1) / 20)**2 for e in range(1, 21)], abs=1e-6)
    assert 'alpha' not in next(r for r in runs
                               if r['method'] == 'ce')['train']


def test_records_are_added_replaced_and_rendered(tmp_path):
    path = str(tmp_path / 'exp.jsonl')

    def run(method, seed, top1):
        report = dict(unit='epoch',
                      last={'epoch': 2, 'lt/top1': top1, 'lt/few': None},
                      best={'epoch': 1, 'lt/top1': top1 + 1},
                      history=[{'epoch': 1, 'lt/top1': top1 + 1},
                               {'epoch': 2, 'lt/top1': top1}])
        return run_record(method, seed, 'configs/x.py', report,
                          wall_s=10.0 + seed)

    add_runs(path, [run('a', 0, 50.0), run('b', 0, 60.0)],
             header=dict(commands=['first']))
    assert add_runs(path, [run('a', 1, 52.0), run('a', 0, 54.0)],
                    header=dict(commands=['second'])) == 3
    header, runs = load_experiment(path)
    assert header == dict(experiment='exp', commands=['first', 'second'])
    assert [(r['method'], r['seed'], r['last']['lt/top1']) for r in runs
            ] == [('a', 0, 54.0), ('b', 0, 60.0), ('a', 1, 52.0)]
    table = methods_table(runs, ['b', 'a'], wall=True, bold=True)
    assert table.split('\n')[2:] == [
        '| b | 0 | **60.00** | 61.00 | - | - | - | - | - | 10 |',
        '| a | 0,1 | 53.00 ± 1.41 | 54.00 ± 1.41 | - | - | - | - | - | '
        '10 ± 1 |']
    readme = ('x\n<!-- results-table methods file=exp.jsonl methods=a '
              'seeds=1 -->\nold\n<!-- /results-table -->\ny\n')
    new, count = regenerate(readme, str(tmp_path), str(tmp_path))
    assert count == 1 and new.startswith('x\n<!-- results-table methods')
    assert '| a | 1 | 52.00 | 53.00 |' in new and 'old' not in new
    assert new.endswith('<!-- /results-table -->\ny\n')


def test_broken_experiment_files_are_one_line(tmp_path):
    path = tmp_path / 'bad.jsonl'
    path.write_text(json.dumps(dict(method='a', last={})) + '\n{"x": \n')
    with pytest.raises(ValueError, match=r'bad.jsonl:2: not a JSON record'):
        load_experiment(str(path))
    path.write_text('{"x": 1}\n')
    with pytest.raises(ValueError, match='bad.jsonl:1: neither an '
                       'experiment header nor a run record'):
        load_experiment(str(path))
    with pytest.raises(ValueError, match="unknown kind 'pie'"):
        regenerate('<!-- results-table pie file=x -->\n'
                   '<!-- /results-table -->', str(tmp_path), str(tmp_path))
