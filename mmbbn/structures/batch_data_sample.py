"""One data sample that holds a whole batch's labels and predictions."""
import torch
from mmpretrain.structures import DataSample


class BatchDataSample(DataSample):
    """A :class:`DataSample` whose fields are the batch's: ``gt_label``
    (N, ), ``pred_score`` (N, C).

    The device-resident data path hands one per batch (a ``DataSample`` per
    item costs ~50 us, more than a GPU's step). Heads read it as per-item
    samples (their losses concatenate ``gt_label``), :class:`LongTailMetric`
    its rows as per-item scores. Per-item prediction would label the batch
    with one item's scores, so it raises: batched evaluation calls
    :meth:`set_batch_predictions`, other consumers :meth:`split`.
    """

    def set_pred_score(self, value) -> 'BatchDataSample':
        """Refused: a head is predicting item by item on a whole batch."""
        raise TypeError(
            'BatchDataSample holds a whole batch: evaluate it with '
            "val_cfg/test_cfg=dict(type='BatchedValLoop'/'BatchedTestLoop') "
            "or data_preprocessor=dict(type='SeededDataPreprocessor') "
            '(which splits it into per-item samples)')

    set_pred_label = set_pred_score

    def set_batch_predictions(self,
                              scores: torch.Tensor) -> 'BatchDataSample':
        """Set ``pred_score`` (N, C) and ``pred_label`` from probabilities;
        return self."""
        if scores.dim() != 2 or len(scores) != len(self.gt_label):
            raise ValueError(
                f'BatchDataSample: scores of shape {tuple(scores.shape)} '
                f'for a batch of {len(self.gt_label)} items')
        self.set_field(scores, 'pred_score', dtype=torch.Tensor)
        self.set_field(scores.argmax(dim=1), 'pred_label', dtype=torch.Tensor)
        self.set_field(scores.size(1), 'num_classes', field_type='metainfo')
        return self

    def split(self) -> list:
        """Per-item :class:`DataSample`\\ s, each with its ``gt_label``."""
        return [DataSample().set_gt_label(label) for label in self.gt_label]


def is_batch_sample(data_samples) -> bool:
    """Whether a batch's ``data_samples`` is ``[BatchDataSample]``."""
    return (isinstance(data_samples, (list, tuple)) and len(data_samples) == 1
            and isinstance(data_samples[0], BatchDataSample))
