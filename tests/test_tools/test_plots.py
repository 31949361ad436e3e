"""tools/utils/plots.py: files that open, hold a figure, from real inputs."""
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from mmbbn.datasets import long_tail_counts
from mmbbn.evaluation import LongTailMetric
from ..conftest import TOOLS

if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

from utils.plots import (load_result, plot_class_distribution,  # noqa: E402
                         plot_per_class_accuracy, plot_reliability_diagram)


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


def test_inputs_of_the_wrong_kind_are_one_line(tmp_path):
    other = tmp_path / 'other.json'
    other.write_text('{"summary": {}}')
    with pytest.raises(ValueError, match="no 'per_class_accuracy' field"):
        load_result(str(other))
