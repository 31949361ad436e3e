"""``path label`` lists: ImageNet-LT, Places-LT and any such set."""
import os.path as osp

import pytest
from mmpretrain.datasets.categories import IMAGENET_CATEGORIES

from mmbbn.datasets import (ImageNetLT, LongTailImageList, PlacesLT,
                            get_class_counts)
from ..conftest import one_line_error, write_image_list

PIPELINE = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]


def test_imagenet_lt_reads_its_lists(tmp_path, mmlog):
    root = str(tmp_path)
    counts = [4] + [0] * 998 + [2]
    written = write_image_list(root, 'ImageNet_LT_test.txt', counts,
                               folder='val', images=True)
    dataset = ImageNetLT(data_root=root, split='test', pipeline=PIPELINE)
    assert dataset.ann_file == osp.join(root, 'ImageNet_LT_test.txt')
    assert dataset.get_gt_labels().tolist() == written['labels'].tolist()
    assert get_class_counts(dataset)[[0, 1, 999]].tolist() == [4, 0, 2]
    assert dataset.metainfo['classes'] == IMAGENET_CATEGORIES
    assert dataset.get_data_info(1)['img_path'] == osp.join(
        root, written['files'][1])
    assert dataset[1]['inputs'].shape == (3, 10, 12)
    assert any('the official test split has 50000' in m for m in mmlog)


def test_places_lt_paths_with_a_leading_slash_are_relative(tmp_path):
    root = str(tmp_path)
    images = tmp_path / 'images'
    write_image_list(str(images), 'list.txt', [2, 1], folder='a/airfield',
                     images=True, ext='png')
    lines = (images / 'list.txt').read_text().splitlines()
    (tmp_path / 'Places_LT_train.txt').write_text(
        ''.join(f'/{line}\n' for line in lines))
    dataset = PlacesLT(data_root=root, data_prefix='images',
                       pipeline=PIPELINE)
    assert len(dataset) == 3 and len(dataset.metainfo['classes']) == 365
    path = dataset.get_data_info(2)['img_path']
    assert path == osp.join(root, 'images', lines[2].split()[0])
    assert dataset[2]['inputs'].shape == (3, 10, 12)


def test_generic_list_infers_classes_and_keeps_spaces(tmp_path):
    ann = tmp_path / 'list.txt'
    ann.write_text('my photos/a b.jpg 2\n\nx.jpg 0\n  \n')
    dataset = LongTailImageList(ann_file=str(ann))
    assert dataset.get_gt_labels().tolist() == [2, 0]
    assert dataset.metainfo['classes'] == ('0', '1', '2')
    assert dataset.get_data_info(0)['img_path'] == 'my photos/a b.jpg'
    named = LongTailImageList(ann_file=str(ann), classes=['x', 'y', 'z'])
    assert named.metainfo['classes'] == ('x', 'y', 'z')
    with pytest.raises(ValueError, match='2 class names for num_classes=3'):
        LongTailImageList(ann_file=str(ann), classes=['x', 'y'],
                          num_classes=3)


@pytest.mark.parametrize('line,problem', [
    ('train/n01/a.JPEG', "expected '<image path> <class index>', got "
     "'train/n01/a.JPEG'"),
    ('train/n01/a.JPEG two', "expected '<image path> <class index>', got "
     "'train/n01/a.JPEG two'"),
    ('train/n01/a.JPEG 1000', "class index 1000 is outside 0..999 in "
     "'train/n01/a.JPEG 1000'"),
    ('train/n01/a.JPEG -1', "class index -1 is outside 0..999 in "
     "'train/n01/a.JPEG -1'"),
])
def test_bad_lines_fail_at_load_with_file_and_line(tmp_path, line, problem):
    ann = tmp_path / 'ImageNet_LT_train.txt'
    ann.write_text(f'train/n00/x.JPEG 0\ntrain/n00/y.JPEG 3\n{line}\n')
    with pytest.raises(ValueError) as e:
        ImageNetLT(data_root=str(tmp_path))
    assert one_line_error(e) == f'{ann}:3: {problem}'


def test_missing_list_and_missing_image(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        PlacesLT(data_root=str(tmp_path), split='val')
    assert str(tmp_path / 'Places_LT_val.txt') in one_line_error(e)
    written = write_image_list(str(tmp_path), 'ImageNet_LT_val.txt', [1, 1])
    dataset = ImageNetLT(data_root=str(tmp_path), split='val',
                         pipeline=PIPELINE)
    with pytest.raises(FileNotFoundError) as e:
        dataset[0]
    assert osp.join(str(tmp_path), written['files'][0]) in one_line_error(e)
    with pytest.raises(ValueError, match="split='dev'"):
        ImageNetLT(data_root=str(tmp_path), split='dev')
