"""tools/benchmarks/annotation_scale.py at a small size."""
import json
import os.path as osp
import runpy

import numpy as np
import pytest

from ..conftest import TOOLS

SCRIPT = osp.join(TOOLS, 'benchmarks', 'annotation_scale.py')


def test_generated_counts_have_the_requested_shape():
    counts = runpy.run_path(SCRIPT)['long_tailed_counts'](437513, 8142)
    assert counts.sum() == 437513 and len(counts) == 8142
    assert counts.max() == 1000 and counts.min() == 2
    assert np.all(np.diff(counts[1:]) <= 0)


def test_one_summary_line_and_a_json(tmp_path, capsys):
    main = runpy.run_path(SCRIPT)['main']
    out_file = str(tmp_path / 'scale.json')
    result = main(['--items', '3000', '--classes', '40', '--format', 'bbn',
                   '--out', out_file])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        'annotation_scale bbn: 3000 items / 40 classes')
    saved = json.load(open(out_file))
    assert saved == result
    custom = saved['mmpretrain_custom_dataset']
    for key in ('load_s', 'labels_s', 'counts_s', 'class_index_s',
                'peak_traced_mb', 'bytes_per_item'):
        assert saved[key] >= 0 and custom[key] >= 0, key
    # MMEngine's pickled item (the path's ~75 bytes for these absolute
    # names and the dict around it) and offset, plus an int64 label: the
    # same items as plain MMPretrain's CustomDataset keeps, and 8 bytes.
    assert 16 + 75 < saved['bytes_per_item'] < 16 + 75 + 60
    assert saved['bytes_per_item'] == pytest.approx(
        custom['bytes_per_item'] + 8, abs=0.11)
