"""Normalises both halves of a BBN training pair."""
from typing import Union

from mmpretrain.models.utils import ClsDataPreprocessor

from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair


@MODELS.register_module()
class BBNDataPreprocessor(ClsDataPreprocessor):
    """:class:`ClsDataPreprocessor` that also takes a :class:`BranchPair`.

    Each half of a pair of batches (:class:`DualSampleDataset`) goes through
    the parent alone and the result keeps the pair: ``dict(inputs=
    BranchPair, data_samples=BranchPair)``. Any other batch is the parent's.
    """

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
