"""The long-tail pictures: files that open, hold a figure, from real inputs."""
import json

import numpy as np
import pytest
import torch
from PIL import Image

from mmbbn.datasets import long_tail_counts
from mmbbn.evaluation import LongTailMetric
from mmbbn.visualization import (find_scalars, load_result, load_scalars,
                                 plot_alpha, plot_class_distribution,
                                 plot_per_class_accuracy,
                                 plot_reliability_diagram)

# Lines as MMEngine 0.10.7 writes them (vis_data/scalars.json and the
# text log) during a BBN run.
SCALARS = [
    {'lr': 0.05, 'data_time': 0.002, 'alpha': 1.0, 'loss': 2.65,
     'accuracy': 12.5, 'time': 0.1, 'epoch': 1, 'iter': 1, 'step': 1},
    {'lr': 0.05, 'data_time': 0.002, 'alpha': 1.0, 'loss': 2.31,
     'accuracy': 25.0, 'time': 0.1, 'epoch': 1, 'iter': 2, 'step': 2},
    {'lt/top1': 10.0, 'lt/top5': 50.0, 'lt/class_avg': 10.0,
     'lt/many': float('nan'), 'lt/few': 16.7, 'step': 1},
    {'lr': 0.005, 'data_time': 0.004, 'alpha': 0.75, 'loss': 1.9,
     'accuracy': 31.25, 'time': 0.1, 'epoch': 2, 'iter': 3, 'step': 3},
    {'lr': 0.005, 'data_time': 0.004, 'alpha': 0.75, 'loss': 1.7,
     'accuracy': 37.5, 'time': 0.1, 'epoch': 2, 'iter': 4, 'step': 4},
    {'lt/top1': 30.0, 'lt/top5': 70.0, 'lt/class_avg': 28.0,
     'lt/many': float('nan'), 'lt/few': 20.0, 'step': 2},
]
TEXT_LOG = """\
2026/11/27 15:52:12 - mmengine - INFO - Epoch(train) [1][ 1/10]  lr: \
5.0000e-02  eta: 0:06:10  time: 12.7590  data_time: 0.0022  alpha: 1.0000  \
loss: 2.6528  accuracy: 12.5000
2026/11/27 15:52:25 - mmengine - INFO - Epoch(train) [2][ 2/10]  lr: \
5.0000e-03  eta: 0:05:59  time: 12.8235  data_time: 0.0022  alpha: 0.8889  \
loss: 4.3777  accuracy: 0.0000
2026/11/27 15:54:12 - mmengine - INFO - Epoch(val) [1][1/2]    eta: 0:00:02  \
time: 2.3269  data_time: 0.0066
2026/11/27 15:54:14 - mmengine - INFO - Epoch(val) [1][2/2]    lt/top1: \
10.0000  lt/top5: 50.0000  lt/many: nan  lt/few: 0.0000  data_time: 0.0041
2026/11/27 15:55:33 - mmengine - INFO - lt/top1: last 10.00 (epoch 3), best \
10.00 (epoch 1)
"""


def png(path) -> np.ndarray:
    """The pixels of a written PNG, checked to hold a drawing."""
    image = np.asarray(Image.open(path).convert('L'), dtype=np.float64)
    assert image.shape[0] > 200 and image.shape[1] > 300
    assert image.std() > 10  # not a blank canvas
    return image


def metric_result(tmp_path, num_classes, per_class) -> dict:
    counts = long_tail_counts(500, num_classes, 100)
    metric = LongTailMetric(train_class_counts=counts)
    metric.dataset_meta = dict(classes=[f'c{i}' for i in range(num_classes)])
    metric.out_file = str(tmp_path / f'lt_{num_classes}.json')
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(num_classes), per_class)
    scores = torch.softmax(torch.tensor(rng.normal(0, 2, (len(labels),
                                                          num_classes))), 1)
    metric.process(None, [dict(pred_score=s, gt_label=torch.tensor([int(y)]))
                          for s, y in zip(scores, labels)])
    metric.evaluate(len(labels))
    return load_result(metric.out_file)


@pytest.mark.parametrize('num_classes', [10, 400])
def test_per_class_and_reliability_pictures(tmp_path, num_classes):
    result = metric_result(tmp_path, num_classes, 3)
    out = plot_per_class_accuracy(result, str(tmp_path / 'a' / 'pc.png'))
    png(out)
    png(plot_reliability_diagram(result, str(tmp_path / 'rel.png')))


def test_per_class_picture_without_training_counts(tmp_path):
    result = metric_result(tmp_path, 10, 2)
    result['train_class_counts'] = None
    png(plot_per_class_accuracy(result, str(tmp_path / 'pc.png'), 'plain'))


def test_class_distribution_picture(tmp_path):
    counts = long_tail_counts(5000, 10, 100)
    names = [f'class {i}' for i in range(10)]
    png(plot_class_distribution(counts, str(tmp_path / 'd.png'), names))
    png(plot_class_distribution(long_tail_counts(1000, 1000, 500),
                                str(tmp_path / 'd2.png')))


def test_alpha_picture_from_scalars_and_text_logs(tmp_path):
    run = tmp_path / 'work' / '20261127_155157'
    (run / 'vis_data').mkdir(parents=True)
    scalars = run / 'vis_data' / 'scalars.json'
    scalars.write_text(''.join(json.dumps(r) + '\n' for r in SCALARS))
    (run / '20261127_155157.log').write_text(TEXT_LOG)
    assert find_scalars(str(tmp_path / 'work')) == str(scalars)
    records = load_scalars(str(scalars))
    assert [r['alpha'] for r in records if 'alpha' in r] == [1, 1, .75, .75]
    png(plot_alpha(records, str(tmp_path / 'alpha.png')))

    text = load_scalars(str(run / '20261127_155157.log'))
    train = [r for r in text if 'alpha' in r]
    assert [(r['epoch'], r['iter'], r['alpha'], r['lr']) for r in train
            ] == [(1, 1, 1.0, 0.05), (2, 12, 0.8889, 0.005)]
    val = [r for r in text if 'lt/top1' in r]
    assert val == [{'lt/top1': 10.0, 'lt/top5': 50.0, 'lt/few': 0.0,
                    'data_time': 0.0041, 'step': 1}]
    png(plot_alpha(text, str(tmp_path / 'alpha_text.png')))


def test_inputs_of_the_wrong_kind_are_one_line(tmp_path):
    with pytest.raises(ValueError, match="no record has 'alpha'"):
        plot_alpha([{'loss': 1.0, 'iter': 1}], str(tmp_path / 'a.png'))
    other = tmp_path / 'other.json'
    other.write_text('{"summary": {}}')
    with pytest.raises(ValueError, match="no 'per_class_accuracy' field"):
        load_result(str(other))
    broken = tmp_path / 'scalars.json'
    broken.write_text('{"alpha": 1.0}\n{"alpha": \n')
    with pytest.raises(ValueError, match=r'scalars.json:2: not a JSON'):
        load_scalars(str(broken))
    with pytest.raises(FileNotFoundError, match='no scalars.json or .log'):
        find_scalars(str(tmp_path / 'empty_dir_that_is_missing'))
