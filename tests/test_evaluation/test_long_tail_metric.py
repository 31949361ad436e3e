import json
import os

import numpy as np
import pytest
import torch

from mmbbn.evaluation import (LongTailMetric, expected_calibration_error,
                              per_class_accuracy, reliability_bins,
                              shot_groups)


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


def test_reliability_bins_put_edge_values_in_the_bin_ending_there():
    bins = reliability_bins(np.array([0.0, 0.4, 0.41, 1.0]),
                            np.array([1, 0, 1, 1]), bins=5)
    # [0, .2], (.2, .4], (.4, .6], (.6, .8], (.8, 1]
    assert bins['count'] == [1, 1, 1, 0, 1]
    assert bins['accuracy'][:3] == [1.0, 0.0, 1.0]
    assert bins['accuracy'][3] is None  # empty bin: null in the JSON
    assert bins['edges'] == pytest.approx([0, .2, .4, .6, .8, 1])


def test_results_json_is_strict_and_complete(tmp_path):
    scores = np.eye(4)[[0, 1, 1, 3]] * 0.7 + 0.075
    metric = LongTailMetric(train_class_counts=[500, 60, 60, 3])
    metric.out_file = str(tmp_path / 'sub' / 'lt.json')
    res = run_metric(metric, scores, [0, 1, 2, 3])
    text = open(metric.out_file).read()
    assert 'NaN' not in text  # no test image of a medium class is missing
    saved = json.loads(text)
    assert saved['summary']['top1'] == res['lt/top1'] == 75
    assert (saved['many_shot'], saved['few_shot'], saved['ece_bins']) == (
        100, 20, 15)
    assert saved['test_class_counts'] == [1, 1, 1, 1]
    assert saved['group_sizes'] == dict(many=1, medium=2, few=1)
    assert res['lt/medium'] == 50
    assert sum(saved['reliability']['count']) == 4


def test_no_test_image_of_a_group_gives_null_not_nan(tmp_path):
    metric = LongTailMetric(train_class_counts=[500, 5, 5])
    metric.out_file = str(tmp_path / 'lt.json')
    res = run_metric(metric, np.eye(3)[[0, 1]], [0, 1])
    assert np.isnan(res['lt/medium'])
    saved = json.loads(open(metric.out_file).read())
    assert saved['summary']['medium'] is None
    assert saved['per_class_accuracy'] == [100.0, 100.0, None]


def test_bad_labels_and_empty_results_are_one_line():
    with pytest.raises(ValueError, match='gt_label=5 is outside the 3 '
                       'classes'):
        run_metric(LongTailMetric(), np.eye(3)[[0]], [5])
    with pytest.raises(ValueError, match='no predictions to evaluate'):
        LongTailMetric().compute_metrics([])


def test_table_lists_both_ends_of_many_classes(mmlog):
    num = 130
    counts = np.arange(num, 0, -1) * 3
    scores = np.eye(num)
    metric = LongTailMetric(train_class_counts=counts)
    run_metric(metric, scores, list(range(num)))
    table = next(m for m in mmlog if m.startswith('Long-tail accuracy'))
    assert '... 30 classes in between (all in the per-class JSON)' in table
    assert 'c0 n=390: 100.0' in table and 'c129 n=3: 100.0' in table
    assert 'c60 n=' not in table  # the middle is left to the JSON
    assert '| many (97 cls) | medium (27 cls) | few (6 cls) |' in table


def _evaluate_on_rank(rank, world, port, scores, labels, out_file, queue):
    """One rank: process its share of the items, then evaluate all."""
    import torch.distributed as dist
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world)
    try:
        size = len(labels)
        # MMEngine's DefaultSampler: padded to a multiple of the world
        # size, rank r takes items r, r + world, ...
        padded = list(range(size)) + list(range(-size % world))
        mine = padded[rank::world]
        metric = LongTailMetric(train_class_counts=[200, 50, 5])
        metric.dataset_meta = dict(classes=['a', 'b', 'c'])
        metric.out_file = out_file
        metric.process(None, [
            dict(pred_score=torch.tensor(scores[i]),
                 gt_label=torch.tensor([labels[i]])) for i in mine
        ])
        queue.put((rank, metric.evaluate(size)))
    finally:
        dist.destroy_process_group()


@pytest.mark.slow
def test_results_are_collected_from_every_rank(tmp_path):
    import multiprocessing
    import socket
    rng = np.random.default_rng(0)
    labels = [0, 0, 0, 1, 1, 2, 2]  # 7 items: the last rank gets a pad
    scores = rng.dirichlet(np.ones(3), size=7)
    single = LongTailMetric(train_class_counts=[200, 50, 5])
    single.out_file = str(tmp_path / 'single.json')
    expected = run_metric(single, scores, labels, classes=['a', 'b', 'c'])

    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    context = multiprocessing.get_context('fork')
    queue = context.Queue()
    out_file = str(tmp_path / 'dist.json')
    procs = [context.Process(target=_evaluate_on_rank,
                             args=(r, 2, port, scores, labels, out_file,
                                   queue)) for r in range(2)]
    for p in procs:
        p.start()
    got = dict(queue.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    # Every rank gets the metrics of all 7 items (the pad is dropped),
    # equal to one process evaluating them all; rank 0 writes the JSON.
    for rank in (0, 1):
        assert got[rank].keys() == expected.keys()
        for key in expected:
            assert got[rank][key] == pytest.approx(expected[key],
                                                   nan_ok=True), key
    assert json.load(open(out_file)) == json.load(open(single.out_file))
