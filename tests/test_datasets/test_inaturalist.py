"""iNaturalist from the official and the BBN annotation JSON."""
import json
import os.path as osp

import numpy as np
import pytest

from mmbbn.datasets import (ClassIndex, DualSampleDataset, DualSampler,
                            INaturalist, INaturalist2017, INaturalist2018,
                            get_class_counts)
from ..conftest import one_line_error, write_inat

PIPELINE = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]


@pytest.fixture(scope='module')
def coco(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('inat2018'))
    return root, write_inat(root, [5, 3, 1])


def test_official_format_gives_labels_names_and_images(coco):
    root, written = coco
    dataset = INaturalist(
        ann_file='train2018.json', data_root=root, pipeline=PIPELINE)
    assert dataset.detected_format == 'coco'
    assert len(dataset) == 9
    # Items in the order of `images`; each labelled by its annotation,
    # although annotations are listed in another order.
    assert dataset.get_gt_labels().tolist() == written['labels'].tolist()
    assert get_class_counts(dataset).tolist() == [5, 3, 1]
    assert dataset.metainfo['classes'] == ('species_0', 'species_1',
                                           'species_2')
    info = dataset.get_data_info(4)
    assert info == dict(img_path=osp.join(root, written['files'][4]),
                        gt_label=int(written['labels'][4]), sample_idx=4)
    item = dataset[4]
    assert item['inputs'].shape == (3, 10, 12)
    assert item['data_samples'].gt_label.tolist() == [written['labels'][4]]
    assert dataset.get_cat_ids(-1) == [int(written['labels'][-1])]


def test_category_ids_need_not_be_contiguous(tmp_path):
    written = write_inat(str(tmp_path), [2, 1], images=False)
    doc = written['doc']
    remap = {0: 70, 1: 30}  # class 1 now sorts first
    for cat in doc['categories']:
        cat['id'] = remap[cat['id']]
    for ann in doc['annotations']:
        ann['category_id'] = remap[ann['category_id']]
    with open(written['ann_file'], 'w') as f:
        json.dump(doc, f)
    dataset = INaturalist(ann_file=written['ann_file'])
    assert dataset.metainfo['classes'] == ('species_1', 'species_0')
    assert dataset.get_gt_labels().tolist() == (
        1 - written['labels']).tolist()


def test_bbn_format_relative_and_absolute_paths(tmp_path):
    root = str(tmp_path)
    written = write_inat(root, [3, 2], name='iNat18_train.json', fmt='bbn')
    dataset = INaturalist(ann_file='iNat18_train.json', data_root=root,
                          pipeline=PIPELINE)
    assert dataset.detected_format == 'bbn'
    assert dataset.metainfo['classes'] == ('0', '1')
    assert dataset.get_gt_labels().tolist() == written['labels'].tolist()
    assert dataset[0]['inputs'].shape == (3, 10, 12)
    # The official converter writes absolute paths: used as they are.
    doc = written['doc']
    for ann in doc['annotations']:
        ann['fpath'] = osp.join(root, ann['fpath'])
    with open(written['ann_file'], 'w') as f:
        json.dump(doc, f)
    dataset = INaturalist(ann_file=written['ann_file'],
                          data_prefix='/elsewhere', pipeline=PIPELINE)
    assert dataset.get_data_info(1)['img_path'] == doc['annotations'][1][
        'fpath']
    assert dataset[1]['inputs'].shape == (3, 10, 12)


def test_labels_come_from_the_array_not_from_items(coco, monkeypatch):
    root, written = coco
    dataset = INaturalist(ann_file='train2018.json', data_root=root)

    def no_items(*args):
        raise AssertionError('an item was built to read a label')

    monkeypatch.setattr(dataset, 'get_data_info', no_items)
    monkeypatch.setattr(dataset, 'prepare_data', no_items)
    assert get_class_counts(dataset).tolist() == [5, 3, 1]
    # What the dual sampler builds from it.
    index = ClassIndex(dataset.get_gt_labels(), 3)
    assert index.counts.tolist() == [5, 3, 1]
    # The items are MMEngine's pickled buffer; the labels one int64 array.
    assert dataset.serialize_data and not dataset.data_list
    assert len(dataset.data_address) == 9
    assert dataset.get_gt_labels().dtype == np.int64


def test_year_classes_pick_the_official_files(tmp_path, mmlog):
    root = str(tmp_path)
    write_inat(root, [2, 1], name='val2018.json', images=False)
    dataset = INaturalist2018(data_root=root, split='val')
    assert dataset.ann_file == osp.join(root, 'val2018.json')
    assert len(dataset) == 3
    assert any('has 3 images of 2 classes; the official val split has 24426 '
               'images of 8142 classes' in m for m in mmlog)
    write_inat(root, [1, 1], name='train2017.json', images=False)
    assert len(INaturalist2017(data_root=root)) == 2
    with pytest.raises(ValueError, match="split='test'"):
        INaturalist2018(data_root=root, split='test')
    with pytest.raises(ValueError, match="ann_format='xml'"):
        INaturalist(ann_file='x.json', ann_format='xml')


def test_subsets_and_dual_sampling(coco):
    root, written = coco
    dataset = INaturalist(ann_file='train2018.json', data_root=root,
                          indices=[8, 0, 3])
    assert dataset.get_gt_labels().tolist() == written['labels'][[8, 0, 3
                                                                  ]].tolist()
    assert dataset.get_data_info(0)['img_path'].endswith(
        written['files'][8])
    full = INaturalist(ann_file='train2018.json', data_root=root)
    first = full.get_subset(4)
    assert len(first) == 4 and len(full) == 9
    assert first.get_gt_labels().tolist() == written['labels'][:4].tolist()
    last = full.get_subset(-2)
    assert last.get_gt_labels().tolist() == written['labels'][-2:].tolist()
    full.get_subset_([-1])
    assert full.get_gt_labels().tolist() == [written['labels'][-1]]
    assert full.get_cat_ids(0) == [written['labels'][-1]]
    # Without MMEngine's serialisation the labels are the same.
    plain = INaturalist(ann_file='train2018.json', data_root=root,
                        serialize_data=False, indices=[8, 0, 3])
    assert plain.get_gt_labels().tolist() == written['labels'][[8, 0, 3
                                                                ]].tolist()
    pairs = DualSampleDataset(
        dict(type='INaturalist', ann_file='train2018.json', data_root=root))
    sampler = DualSampler(pairs, seed=0)
    assert sampler.class_index.counts.tolist() == [5, 3, 1]
    assert len(list(iter(sampler))) == 9


# ---- bad input: one line naming the file, the entry and the value ----


def rewrite(written, change):
    doc = json.loads(json.dumps(written['doc']))
    change(doc)
    with open(written['ann_file'], 'w') as f:
        json.dump(doc, f)
    return written['ann_file']


@pytest.fixture
def small(tmp_path):
    return write_inat(str(tmp_path), [2, 2], images=False)


def test_malformed_json(small):
    with open(small['ann_file'], 'w') as f:
        f.write('{"images": [\n {"id": 1, "file_name": "a.jpg"},\n'
                ' {"id": 2 "file_name": "b.jpg"}]}')
    with pytest.raises(ValueError) as e:
        INaturalist(ann_file=small['ann_file'])
    message = one_line_error(e)
    assert small['ann_file'] in message and 'line 3' in message
    assert '"file_name"' in message


def test_duplicated_image_id(small):
    path = rewrite(small, lambda d: d['images'][3].update(
        id=d['images'][1]['id']))
    with pytest.raises(ValueError) as e:
        INaturalist(ann_file=path)
    assert one_line_error(e) == (
        f"{path}: images[1] and images[3] both have "
        f"id={small['doc']['images'][1]['id']}")


def test_category_id_out_of_range(small):
    path = rewrite(small,
                   lambda d: d['annotations'][2].update(category_id=7))
    with pytest.raises(ValueError) as e:
        INaturalist(ann_file=path)
    image_id = small['doc']['annotations'][2]['image_id']
    assert one_line_error(e) == (
        f'{path}: annotations[2] (image_id={image_id}) category_id=7 is not '
        'one of the 2 categories (ids 0..1)')


def test_image_labelled_twice_or_not_at_all(small):
    path = rewrite(small, lambda d: d['annotations'][1].update(
        image_id=d['annotations'][0]['image_id']))
    with pytest.raises(ValueError) as e:
        INaturalist(ann_file=path)
    message = one_line_error(e)
    assert 'annotations[0] and annotations[1] both label image_id=' in message
    path = rewrite(small, lambda d: d['annotations'].pop())
    with pytest.raises(ValueError, match=r'images\[\d\] \(id=\d+\) has no '
                       'entry in annotations'):
        INaturalist(ann_file=path)
    path = rewrite(small,
                   lambda d: d['annotations'][0].update(image_id=99999))
    with pytest.raises(ValueError, match=r'annotations\[0\] image_id=99999 '
                       'is not an id in images'):
        INaturalist(ann_file=path)


def test_missing_or_mistyped_field(small):
    path = rewrite(small, lambda d: d['images'][2].pop('file_name'))
    with pytest.raises(ValueError) as e:
        INaturalist(ann_file=path)
    image_id = small['doc']['images'][2]['id']
    assert one_line_error(e) == (
        f"{path}: images[2] (id={image_id}) has no 'file_name' field")
    path = rewrite(small,
                   lambda d: d['annotations'][1].update(category_id='1'))
    with pytest.raises(ValueError, match=r"annotations\[1\] .*category_id="
                       r"'1' is not an integer"):
        INaturalist(ann_file=path)
    path = rewrite(small, lambda d: d.pop('images') and d.pop('categories'))
    with pytest.raises(ValueError, match='neither the official'):
        INaturalist(ann_file=path)


def test_bbn_format_errors(tmp_path):
    written = write_inat(str(tmp_path), [2, 2], fmt='bbn', images=False)
    path = rewrite(written,
                   lambda d: d['annotations'][3].update(category_id=2))
    with pytest.raises(ValueError) as e:
        INaturalist(ann_file=path)
    image_id = written['doc']['annotations'][3]['image_id']
    assert one_line_error(e) == (
        f'{path}: annotations[3] (image_id={image_id}) category_id=2 is '
        'outside 0..1 (num_classes=2)')
    path = rewrite(written, lambda d: d['annotations'][2].update(
        image_id=d['annotations'][0]['image_id']))
    with pytest.raises(ValueError, match=r'annotations\[0\] and annotations'
                       r'\[2\] both have image_id='):
        INaturalist(ann_file=path)
    path = rewrite(written, lambda d: d.update(num_classes='2'))
    with pytest.raises(ValueError, match="num_classes='2' is not a positive"):
        INaturalist(ann_file=path)


def test_missing_files_fail_with_their_path(coco, tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        INaturalist(ann_file=str(tmp_path / 'nope.json'))
    assert str(tmp_path / 'nope.json') in one_line_error(e)
    root, written = coco
    dataset = INaturalist(
        ann_file='train2018.json', data_root=root, data_prefix='moved',
        pipeline=PIPELINE)  # loads: images are only read on access
    missing = osp.join(root, 'moved', written['files'][2])
    with pytest.raises(FileNotFoundError) as e:
        dataset[2]
    assert one_line_error(e) == (
        f'INaturalist: image {missing} of item 2 (annotation file '
        f"{osp.join(root, 'train2018.json')}) does not exist")


def test_items_collate_like_any_mmpretrain_set(coco):
    from mmengine.dataset import default_collate
    root, written = coco
    dataset = INaturalist(ann_file='train2018.json', data_root=root,
                          pipeline=PIPELINE)
    batch = default_collate([dataset[i] for i in range(3)])
    assert batch['inputs'].shape == (3, 3, 10, 12)
    assert [s.gt_label.item() for s in batch['data_samples']
            ] == written['labels'][:3].tolist()
