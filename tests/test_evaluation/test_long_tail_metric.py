import json

import numpy as np
import pytest
import torch

from mmbbn.evaluation import (LongTailMetric, expected_calibration_error,
                              per_class_accuracy, shot_groups)


def run_metric(metric, scores, labels, classes=None):
    metric.dataset_meta = dict(classes=classes or [
        f'c{i}' for i in range(scores.shape[1])
    ])
    samples = [dict(pred_score=torch.tensor(s), gt_label=torch.tensor([y]))
               for s, y in zip(scores, labels)]
    metric.process(None, samples)
    return metric.evaluate(len(samples))


def test_shot_groups_follow_the_thresholds():
    groups = shot_groups(np.array([500, 101, 100, 20, 19, 0]))
    assert groups['many'].tolist() == [1, 1, 0, 0, 0, 0]
    assert groups['medium'].tolist() == [0, 0, 1, 1, 0, 0]
    assert groups['few'].tolist() == [0, 0, 0, 0, 1, 1]


def test_hand_computed_example(tmp_path):
    # 3 classes; training counts put one class in each group.
    scores = np.array([
        [0.7, 0.2, 0.1],  # y=0 right, conf .7
        [0.6, 0.3, 0.1],  # y=0 right, conf .6
        [0.2, 0.5, 0.3],  # y=1 right, conf .5
        [0.8, 0.1, 0.1],  # y=1 wrong, conf .8
        [0.4, 0.35, 0.25],  # y=2 wrong (top-2 misses), conf .4
        [0.1, 0.1, 0.8],  # y=2 right, conf .8
    ])
    labels = [0, 0, 1, 1, 2, 2]
    metric = LongTailMetric(topk=(1, 2), train_class_counts=[300, 50, 5])
    metric.out_file = str(tmp_path / 'lt.json')
    res = run_metric(metric, scores, labels)
    assert res['lt/top1'] == pytest.approx(100 * 4 / 6)
    assert res['lt/top2'] == pytest.approx(100 * 5 / 6)
    assert res['lt/class_avg'] == pytest.approx((100 + 50 + 50) / 3)
    assert (res['lt/many'], res['lt/medium'], res['lt/few']) == (100, 50, 50)
    # ECE, 15 bins: (.4](wrong) (.5](right) (.6](right) (.7](right)
    # (.8] holds one right and one wrong at .8.
    ece = (abs(0 - .4) + abs(1 - .5) + abs(1 - .6) + abs(1 - .7) +
           2 * abs(.5 - .8)) / 6
    assert res['lt/ece'] == pytest.approx(100 * ece)
    saved = json.load(open(tmp_path / 'lt.json'))
    assert saved['per_class_accuracy'] == [100.0, 50.0, 50.0]
    assert saved['group_sizes'] == dict(many=1, medium=1, few=1)
    assert saved['train_class_counts'] == [300, 50, 5]


def test_groups_are_left_out_without_counts():
    res = run_metric(LongTailMetric(), np.eye(6)[:, :6], list(range(6)))
    assert res['lt/top1'] == 100 and 'lt/many' not in res


def test_classes_without_test_images_are_skipped():
    acc = per_class_accuracy(np.array([0, 0, 2]), np.array([0, 1, 2]), 3)
    assert acc[0] == 50 and np.isnan(acc[1]) and acc[2] == 100


def test_ece_of_a_perfectly_calibrated_bin_is_zero():
    conf = np.full(10, 0.7)
    correct = np.array([1] * 7 + [0] * 3)
    assert expected_calibration_error(conf, correct) == pytest.approx(0)


def test_bad_arguments():
    with pytest.raises(ValueError, match='few_shot=200'):
        LongTailMetric(few_shot=200)
    with pytest.raises(ValueError, match='topk'):
        LongTailMetric(topk=(0, ))
