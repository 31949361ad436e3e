"""No checkpoint runs code: every way a file is loaded refuses a payload.

A ``.pth`` whose pickle calls ``os.system`` (it would create a marker file)
goes through each entry point a file that did not come from the user's own
run takes: a URL (served from 127.0.0.1), ``load_from``, resume, an
``init_cfg`` (``Pretrained`` and ``BBNPretrained``), ``get_model`` and the
inferencer's ``pretrained``. None may run it; each says why in one line
(torch's own message has six and does not name the file: these tests are
why mmbbn wraps MMEngine's local and http(s) loaders). Through a URL,
MMEngine alone would run the payload (``torch.hub``'s loader defaults to
``weights_only=False``): ``test_url`` is why mmbbn replaces MMEngine's
``load_url``, the one name it replaces.
"""
import functools
import http.server
import os
import os.path as osp
import threading

import pytest
import torch
from mmengine.registry import DefaultScope
from mmengine.runner import Runner, load_checkpoint, save_checkpoint
from mmengine.runner import checkpoint as mmengine_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader

from mmbbn.registry import MODELS
from mmbbn.utils import CheckpointLoadError, safe_torch_load
from mmbbn.utils.checkpoint import check_torch_version
from ..runner_cfg import tiny_bbn_cfg


class Payload:
    """Pickles to ``os.system('touch MARKER')``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


def tiny_model_cfg(num_classes=10, init_cfg=None):
    return dict(
        type='BBNClassifier',
        backbone=dict(type='CifarResNet', depth=20, split_last_block=True),
        neck=dict(type='BBNNeck'),
        head=dict(type='BBNHead', num_classes=num_classes, in_channels=128),
        data_preprocessor=dict(num_classes=num_classes),
        init_cfg=init_cfg)


def build(**kwargs):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(tiny_model_cfg(**kwargs))


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    """A good checkpoint, a payload-carrying one, a truncated one."""
    root = tmp_path_factory.mktemp('ckpts')
    model = build()
    good = str(root / 'good.pth')
    save_checkpoint({'state_dict': model.state_dict(),
                     'meta': {'epoch': 1}}, good)
    marker = str(root / 'PWNED')
    evil = str(root / 'evil.pth')
    torch.save({'state_dict': model.state_dict(),
                'meta': {'epoch': 1, 'note': Payload(marker)}}, evil)
    truncated = str(root / 'truncated.pth')
    with open(good, 'rb') as f:
        data = f.read()
    with open(truncated, 'wb') as f:
        f.write(data[:len(data) // 2])
    text = str(root / 'notes.pth')
    with open(text, 'w') as f:
        f.write('hello\n')
    return dict(root=str(root), good=good, evil=evil, marker=marker,
                truncated=truncated, text=text)


@pytest.fixture(scope='module')
def served(files):
    """The checkpoint folder over HTTP on 127.0.0.1 (loopback only)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ('127.0.0.1', 0), functools.partial(Quiet, directory=files['root']))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()
    server.server_close()


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """A fresh download cache for URL loads."""
    monkeypatch.setattr(torch.hub, '_hub_dir', str(tmp_path / 'hub'))


def assert_refused(error, name, marker):
    message = str(error)
    assert '\n' not in message
    assert message.startswith(f'{name}: refused to load: it holds objects '
                              'other than tensors and plain data')
    assert 'posix.system' in message and 'weights_only=True' in message
    assert not osp.exists(marker), 'the payload ran'


def test_the_payload_is_live(files):
    """Without weights_only the file does run code: the tests can fail."""
    torch.load(files['evil'], weights_only=False)
    assert osp.exists(files['marker'])
    os.remove(files['marker'])


def test_only_two_loaders_are_wrapped_and_one_name_replaced():
    """MMEngine's own loaders stay; URLs load with weights_only=True."""
    from mmbbn.utils.checkpoint import load_url
    assert mmengine_checkpoint.load_url is load_url
    schemes = CheckpointLoader._schemes
    assert schemes[''].__wrapped__ is mmengine_checkpoint.load_from_local
    for prefix in ('http://', 'https://'):
        assert (schemes[prefix].__wrapped__ is
                mmengine_checkpoint.load_from_http)
    assert mmengine_checkpoint.load_from_http.__module__ == (
        'mmengine.runner.checkpoint')
    assert (schemes['torchvision://'] is
            mmengine_checkpoint.load_from_torchvision)
    assert (schemes['open-mmlab://'] is
            mmengine_checkpoint.load_from_openmmlab)


def test_torch_that_unpickles_code_by_default_is_refused():
    with pytest.raises(ImportError) as e:
        check_torch_version('2.5.1')
    assert str(e.value) == (
        'mmbbn needs torch>=2.6.0 (found 2.5.1): older torch.load runs code '
        'found in a checkpoint (weights_only=False by default)')
    check_torch_version('2.6.0')
    check_torch_version('2.14.1+cu130')


def test_safe_torch_load(files):
    """The loader of the tools that read checkpoints themselves."""
    with pytest.raises(CheckpointLoadError) as e:
        safe_torch_load(files['evil'])
    assert_refused(e.value, files['evil'], files['marker'])
    assert 'state_dict' in safe_torch_load(files['good'])


def test_url(files, served, hub):
    url = f'{served}/evil.pth'
    with pytest.raises(CheckpointLoadError) as e:
        load_checkpoint(build(), url, map_location='cpu')
    assert_refused(e.value, url, files['marker'])
    # The same server gives a good file: the URL path itself works.
    load_checkpoint(build(), f'{served}/good.pth', map_location='cpu')


@pytest.mark.parametrize('resume', [False, True])
def test_load_from_and_resume(files, cifar10_tiny, tmp_path, resume):
    runner = Runner.from_cfg(tiny_bbn_cfg(
        cifar10_tiny, str(tmp_path), load_from=files['evil'],
        resume=resume))
    with pytest.raises(CheckpointLoadError) as e:
        runner.load_or_resume()
    assert_refused(e.value, files['evil'], files['marker'])


@pytest.mark.parametrize('init', ['Pretrained', 'BBNPretrained'])
def test_init_cfg(files, served, hub, init):
    for source in (files['evil'], f'{served}/evil.pth'):
        model = build(init_cfg=dict(type=init, checkpoint=source))
        with pytest.raises(CheckpointLoadError) as e, \
                DefaultScope.overwrite_default_scope('mmpretrain'):
            model.init_weights()
        assert_refused(e.value, source, files['marker'])


def test_get_model_and_inferencer_pretrained(files, served, hub):
    from mmengine.config import Config
    from mmpretrain import ImageClassificationInferencer, get_model
    cfg = Config(dict(model=tiny_model_cfg()))
    url = f'{served}/evil.pth'
    with pytest.raises(CheckpointLoadError) as e:
        get_model(cfg, pretrained=url)
    assert_refused(e.value, url, files['marker'])
    with pytest.raises(CheckpointLoadError) as e:
        ImageClassificationInferencer(cfg, pretrained=files['evil'],
                                      device='cpu')
    assert_refused(e.value, files['evil'], files['marker'])


def test_truncated_checkpoint_fails_in_one_line(files, cifar10_tiny,
                                                tmp_path):
    with pytest.raises(CheckpointLoadError) as e:
        load_checkpoint(build(), files['truncated'])
    message = str(e.value)
    assert message.startswith(
        f'{files["truncated"]}: not a readable checkpoint (truncated or '
        'corrupt?): ')
    assert '\n' not in message
    runner = Runner.from_cfg(tiny_bbn_cfg(
        cifar10_tiny, str(tmp_path), load_from=files['truncated']))
    with pytest.raises(CheckpointLoadError, match='truncated or corrupt'):
        runner.load_or_resume()


def test_file_that_is_no_checkpoint_fails_in_one_line(files):
    """torch alone says ``KeyError: 104`` (the first byte, 'h')."""
    with pytest.raises(CheckpointLoadError) as e:
        load_checkpoint(build(), files['text'])
    message = str(e.value)
    assert message.startswith(
        f'{files["text"]}: not a readable checkpoint (truncated or '
        'corrupt?): ')
    assert '\n' not in message
    # A missing file says so itself, in MMEngine's words.
    with pytest.raises(FileNotFoundError, match='can not be found'):
        load_checkpoint(build(), files['text'] + '.missing')


def test_checkpoint_for_another_number_of_classes(files):
    from mmengine.config import Config
    from mmpretrain import get_model
    expected = ("BBNHead: the checkpoint's head.fc.weight is for 10 classes "
                'x 128 features, this head has num_classes=5, '
                'in_channels=128; to start from weights of another label '
                "set, use init_cfg=dict(type='BBNPretrained', checkpoint=...)"
                ', which keeps the classifier fresh')
    with pytest.raises(ValueError) as e:
        load_checkpoint(build(num_classes=5), files['good'])
    assert str(e.value) == expected
    with pytest.raises(ValueError) as e:
        get_model(Config(dict(model=tiny_model_cfg(5))),
                  pretrained=files['good'])
    assert str(e.value) == expected
    # The way to fine-tune on another label set.
    model = build(num_classes=5,
                  init_cfg=dict(type='BBNPretrained',
                                checkpoint=files['good']))
    model.init_weights()
    assert model.head.fc.weight.shape == (5, 128)
