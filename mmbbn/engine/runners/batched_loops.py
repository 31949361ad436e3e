"""Validation and test loops that predict a whole batch at once."""
from typing import Sequence

import torch
import torch.nn.functional as F
from mmengine.runner import TestLoop, ValLoop
from mmengine.runner.amp import autocast
from mmpretrain.structures import DataSample

from mmbbn.engine.hooks.class_counts_hook import unwrap
from mmbbn.models.data_preprocessors import SeededDataPreprocessor
from mmbbn.registry import LOOPS
from mmbbn.structures import is_batch_sample


class _BatchedEvalMixin:
    """Predicts a device-resident batch (one :class:`BatchDataSample`, a
    :class:`SeededDataPreprocessor`) as the softmax of the model's logits
    (``mode='tensor'``), not a ``DataSample`` per image (~40 us each: a
    GPU's whole epoch per CIFAR test pass). The first batch is checked
    against the model's ``predict`` on a few items, so a model whose
    ``predict`` does more (a post-hoc adjustment) is refused, not
    mis-evaluated. Other batches go through the parent loop.
    """

    _checked = False

    def _check(self, model, inputs: torch.Tensor,
               scores: torch.Tensor) -> None:
        """Batched scores equal ``predict`` on the first items, or raise."""
        k = min(4, len(inputs))
        own = model(inputs[:k], [DataSample() for _ in range(k)],
                    mode='predict')
        own = torch.stack([s.pred_score for s in own]).float()
        if not torch.allclose(own, scores[:k], atol=2e-3):
            diff = (own - scores[:k]).abs().max().item()
            raise ValueError(
                f'{type(self).__name__}: {type(model).__name__}.predict() '
                f'differs from softmax(head(feats)) by {diff:.3g} on the '
                "first items; evaluate it with the standard loop "
                "(val_cfg/test_cfg without type='Batched...Loop')")
        self._checked = True

    def run_iter(self, idx, data_batch: Sequence[dict]) -> None:
        """Evaluate one batch: batched if it can be, else as the parent."""
        model = unwrap(self.runner.model)
        if not (isinstance(data_batch, dict)
                and is_batch_sample(data_batch.get('data_samples'))
                and isinstance(model.data_preprocessor,
                               SeededDataPreprocessor)):
            return super().run_iter(idx, data_batch)
        self.runner.call_hook(
            f'before_{self.stage}_iter', batch_idx=idx, data_batch=data_batch)
        with torch.no_grad(), autocast(enabled=self.fp16):
            data = model.data_preprocessor(data_batch, False,
                                           keep_batched=True)
            logits = model(data['inputs'], mode='tensor')
            scores = F.softmax(logits.float(), dim=1)
            if not self._checked:
                self._check(model, data['inputs'], scores)
        outputs = [data['data_samples'][0].set_batch_predictions(scores)]
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        self.runner.call_hook(f'after_{self.stage}_iter', batch_idx=idx,
                              data_batch=data_batch, outputs=outputs)


@LOOPS.register_module()
class BatchedValLoop(_BatchedEvalMixin, ValLoop):
    """``ValLoop`` (same arguments) predicting device-resident batches at
    once."""

    stage = 'val'


@LOOPS.register_module()
class BatchedTestLoop(_BatchedEvalMixin, TestLoop):
    """``TestLoop`` (same arguments) predicting device-resident batches at
    once."""

    stage = 'test'
