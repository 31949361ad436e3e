"""tools/preflight.py: registry names, mixed precision, checkpoint fit."""
import glob
import os.path as osp

import pytest
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmbbn.registry import MODELS
from ..conftest import CONFIGS, one_line_error
from ..launch_helpers import tool_module

preflight = tool_module('preflight')
ConfigError = preflight.ConfigError

DIGITS_BBN = osp.join(CONFIGS, 'bbn', 'bbn_resnet32_1xb32-200e_digits-lt.py')
DIGITS_CE = osp.join(CONFIGS, 'baselines', 'ce',
                     'resnet32_1xb32-200e_digits-lt.py')
DIGITS_TAU = osp.join(CONFIGS, 'decoupling',
                      'tau-norm_resnet32_1xb32-200e_digits-lt.py')
SHIPPED = sorted(
    f for f in glob.glob(osp.join(CONFIGS, '**', '*.py'), recursive=True)
    if '_base_' not in f.split(osp.sep))


def check(cfg, name='cfg.py'):
    with pytest.raises(ConfigError) as e:
        preflight.check_registered_types(cfg, name)
    return one_line_error(e)


@pytest.fixture(scope='module')
def digits_bbn():
    return Config.fromfile(DIGITS_BBN)


@pytest.mark.slow
def test_no_shipped_config_false_alarms():
    assert len(SHIPPED) > 50
    for path in SHIPPED:
        preflight.check_registered_types(Config.fromfile(path), path)


def test_typo_names_file_field_value_and_closest(digits_bbn):
    cfg = digits_bbn.copy()
    cfg.merge_from_dict({'train_dataloader.dataset.dataset.type': 'DigitLT'})
    assert check(cfg, DIGITS_BBN) == (
        f"{DIGITS_BBN}: train_dataloader.dataset.dataset.type='DigitLT' is "
        "not a registered name in scope 'mmpretrain'; closest registered: "
        'DigitsLT')


def test_list_fields_and_more_than_one_typo(digits_bbn):
    cfg = digits_bbn.copy()
    cfg.merge_from_dict({
        'custom_hooks.0.type': 'CumulativAlphaHook',
        'optim_wrapper.optimizer.type': 'SGDD'
    })
    message = check(cfg)
    # The first in config order, and how many follow.
    assert message.startswith(
        "cfg.py: custom_hooks.0.type='CumulativAlphaHook' is not a registered"
        " name in scope 'mmpretrain'; closest registered: CumulativeAlphaHook")
    assert message.endswith(' (and 1 more)')


def test_names_nothing_is_close_to():
    cfg = Config(dict(default_scope='mmpretrain',
                      model=dict(type='Qwxzv')))
    assert check(cfg) == ("cfg.py: model.type='Qwxzv' is not a registered "
                          "name in scope 'mmpretrain'; no registered name is "
                          'close')


def test_scopes_classes_and_functions_are_not_flagged():
    cfg = Config(dict(
        default_scope='mmpretrain',
        model=dict(
            type='mmpretrain.ImageClassifier',
            backbone=dict(type='mmpretrain.ResNet', depth=18),
            # MMEngine's root registry, and a subtree in another scope.
            init_cfg=dict(type='mmengine.Kaiming', layer='Conv2d'),
            head=dict(type='LinearClsHead', _scope_='mmpretrain'),
            neck=dict(type=nn.Identity)),
        optim_wrapper=dict(optimizer=dict(type='torch.optim.SGD')),
        train_dataloader=dict(collate_fn=dict(type=sorted))))
    preflight.check_registered_types(cfg, 'cfg.py')
    cfg.model.backbone.type = 'mmpretrain.ResNett'
    # The scope prefix is not part of the name matched.
    assert check(cfg) == (
        "cfg.py: model.backbone.type='mmpretrain.ResNett' is not a registered"
        " name in scope 'mmpretrain'; closest registered: ResNet, ResNeXt, "
        'ResNeSt')


def test_amp_needs_a_device(digits_bbn, monkeypatch):
    cfg = digits_bbn.copy()
    preflight.check_amp(cfg, DIGITS_BBN)
    cfg.optim_wrapper.type = 'AmpOptimWrapper'
    monkeypatch.setattr(preflight, 'amp_device_available', lambda: False)
    with pytest.raises(ConfigError) as e:
        preflight.check_amp(cfg, DIGITS_BBN)
    assert one_line_error(e).startswith(
        f"{DIGITS_BBN}: optim_wrapper.type='AmpOptimWrapper' (--amp or an "
        '-amp- config): MMEngine runs mixed precision on a GPU')
    monkeypatch.setattr(preflight, 'amp_device_available', lambda: True)
    preflight.check_amp(cfg, DIGITS_BBN)


def build(path):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(Config.fromfile(path).model)


def test_state_dict_mismatch_counts_and_first_keys():
    bbn = build(DIGITS_BBN).state_dict()
    ce = build(DIGITS_CE).state_dict()
    assert preflight.state_dict_mismatch(bbn, bbn) is None
    # DDP's prefix is stripped, as MMEngine's loader does.
    assert preflight.state_dict_mismatch(
        bbn, {f'module.{k}': v for k, v in bbn.items()}) is None
    # A missing BatchNorm counter is not a difference (MMEngine ignores it).
    assert preflight.state_dict_mismatch(bbn, {
        k: v for k, v in bbn.items() if not k.endswith('num_batches_tracked')
    }) is None
    # A BBN checkpoint on the CE model: the CE trunk's last block is
    # missing, BBN's two branch blocks are unexpected, the classifier reads
    # 128 features (f_c, f_r) instead of 64.
    missing = [k for k in ce if k not in bbn
               and not k.endswith('num_batches_tracked')]
    unexpected = [k for k in bbn if k not in ce]
    assert preflight.state_dict_mismatch(ce, bbn) == (
        f'{len(missing)} missing (first {missing[0]!r}), {len(unexpected)} '
        f'unexpected (first {unexpected[0]!r}), 1 of another shape (first '
        "'head.fc.weight': [10, 128] in the checkpoint, [10, 64] in the "
        'model)')
    assert missing[0].startswith('backbone.layer3.4.')
    assert unexpected[0].startswith('neck.')


def test_buffers_the_model_sets_itself_may_be_missing():
    """tau-norm tests the plain CE checkpoint: its head adds class counts."""
    model = build(DIGITS_TAU)
    tau = model.state_dict()
    ce = build(DIGITS_CE).state_dict()
    assert preflight.state_dict_mismatch(tau, ce) == (
        "1 missing (first 'head.class_counts')")
    optional = preflight.self_set_buffers(model, ce)
    assert 'head.class_counts' in optional
    assert preflight.state_dict_mismatch(tau, ce, optional) is None
    # Parameters never are optional; nor are the running statistics of a
    # BatchNorm whose weights are missing too.
    partial = {k: v for k, v in ce.items()
               if not k.startswith('backbone.layer3.4.bn1.')}
    optional = preflight.self_set_buffers(model, partial)
    assert 'backbone.layer3.4.bn1.running_mean' not in optional
    assert preflight.state_dict_mismatch(tau, partial, optional) == (
        "4 missing (first 'backbone.layer3.4.bn1.weight')")
