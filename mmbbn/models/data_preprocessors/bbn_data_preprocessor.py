"""Data preprocessors of BBN pairs and of seeded, device-resident batches."""
from typing import List, Optional, Union

from mmpretrain.models.utils import ClsDataPreprocessor

from mmbbn.registry import BATCH_AUGMENTS, MODELS
from mmbbn.structures import BranchPair, is_batch_sample


@MODELS.register_module()
class BBNDataPreprocessor(ClsDataPreprocessor):
    """:class:`ClsDataPreprocessor` that also takes a :class:`BranchPair`.

    Each half of a pair of batches (:class:`DualSampleDataset`) goes through
    the parent alone: ``dict(inputs=BranchPair, data_samples=BranchPair)``;
    any other batch is the parent's."""

    def forward(self, data: Union[dict, BranchPair],
                training: bool = False) -> dict:
        if not isinstance(data, BranchPair):
            return super().forward(data, training)
        halves = [super(BBNDataPreprocessor, self).forward(half, training)
                  for half in data]
        return dict(
            inputs=BranchPair(*(h['inputs'] for h in halves)),
            data_samples=BranchPair(*(h.get('data_samples')
                                      for h in halves)))


@MODELS.register_module()
class SeededDataPreprocessor(BBNDataPreprocessor):
    """:class:`BBNDataPreprocessor` with per-item seeded batch augments.

    A batch of :class:`DeviceResidentDataset` is ``dict(inputs=uint8
    (N, C, H, W), data_samples=[BatchDataSample], seeds=int64 (N, ))``, or a
    ``BranchPair`` of two. In training the ``augments`` apply in order, by
    each half's own seeds, on the uint8 images (so ``pad_val=0`` pads as the
    per-item ``RandomCrop``), before the parent normalises. Outside
    training a ``BatchDataSample`` is split per item for ``ValLoop``, unless
    ``keep_batched`` (``BatchedValLoop``).

    Args:
        augments (list[dict], optional): Seeded batch augments, applied in
            training only.
        **kwargs: Arguments of :class:`ClsDataPreprocessor`.
    """

    def __init__(self, augments: Optional[List[dict]] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.augments = [BATCH_AUGMENTS.build(a) if isinstance(a, dict) else a
                         for a in augments or []]

    def _prepare(self, batch: dict, training: bool,
                 keep_batched: bool) -> dict:
        """Augment one batch (one half of a pair) by its items' seeds."""
        batch = dict(batch)
        seeds = batch.pop('seeds', None)
        if training and self.augments:
            if seeds is None:
                raise ValueError(
                    'SeededDataPreprocessor: a training batch without seeds '
                    'cannot be augmented by its items\' seeds; the train '
                    'loader must give Draws (a seeded sampler, DualSampler) '
                    "to DeviceResidentDataset")
            inputs = self.cast_data(batch['inputs'])
            seeds = self.cast_data(seeds)
            for augment in self.augments:
                inputs = augment(inputs, seeds)
            batch['inputs'] = inputs
        samples = batch.get('data_samples')
        if not training and not keep_batched and is_batch_sample(samples):
            batch['data_samples'] = samples[0].split()
        return batch

    def forward(self, data: Union[dict, BranchPair], training: bool = False,
                keep_batched: bool = False) -> dict:
        if isinstance(data, BranchPair):
            data = BranchPair(*(self._prepare(half, training, keep_batched)
                                for half in data))
        else:
            data = self._prepare(data, training, keep_batched)
        return super().forward(data, training)
