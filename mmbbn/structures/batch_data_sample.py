"""One data sample that holds a whole batch's labels and predictions."""
import torch
from mmpretrain.structures import DataSample


class BatchDataSample(DataSample):
    """A :class:`DataSample` whose fields are the batch's, not an item's.

    Building a ``DataSample`` per item costs ~50 us in Python (label
    checks, field bookkeeping); at GPU speed that is more than the step.
    The device-resident data path therefore hands one ``BatchDataSample``
    per batch: ``gt_label`` of shape (N, ). MMPretrain's and mmbbn's heads
    read it as they read a list of per-item samples (their losses
    concatenate ``gt_label`` over the list), and :class:`LongTailMetric`
    takes its ``pred_score`` (N, C) as it takes per-item scores.

    Per-item prediction (``set_pred_score``/``set_pred_label``, as a
    head's ``predict`` calls them item by item) would label the whole
    batch with the first item's scores, so it raises; batched evaluation
    (``BatchedValLoop``) sets the batch's predictions with
    :meth:`set_batch_predictions`, and :meth:`split` gives per-item samples
    for any other consumer.
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
        """Set ``pred_score`` (N, C) and ``pred_label`` (N, ).

        Args:
            scores (Tensor): Class probabilities of every item.

        Returns:
            BatchDataSample: self.
        """
        if scores.dim() != 2 or len(scores) != len(self.gt_label):
            raise ValueError(
                f'BatchDataSample: scores of shape {tuple(scores.shape)} '
                f'for a batch of {len(self.gt_label)} items')
        self.set_field(scores, 'pred_score', dtype=torch.Tensor)
        self.set_field(scores.argmax(dim=1), 'pred_label', dtype=torch.Tensor)
        self.set_field(scores.size(1), 'num_classes', field_type='metainfo')
        return self

    def split(self) -> list:
        """Per-item :class:`DataSample`\\ s with the batch's labels.

        Returns:
            list[DataSample]: One sample per item, ``gt_label`` of shape
            (1, ).
        """
        return [DataSample().set_gt_label(label) for label in self.gt_label]


def is_batch_sample(data_samples) -> bool:
    """Whether ``data_samples`` is one :class:`BatchDataSample` (a list).

    Args:
        data_samples: What a collated batch holds under ``data_samples``.

    Returns:
        bool: True for ``[BatchDataSample]``.
    """
    return (isinstance(data_samples, (list, tuple)) and len(data_samples) == 1
            and isinstance(data_samples[0], BatchDataSample))


__all__ = ['BatchDataSample', 'is_batch_sample']
