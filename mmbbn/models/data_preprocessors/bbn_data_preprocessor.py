"""Normalises both halves of a BBN training pair."""
from typing import Union

from mmpretrain.models.utils import ClsDataPreprocessor

from mmbbn.registry import MODELS
from mmbbn.structures import BranchPair


@MODELS.register_module()
class BBNDataPreprocessor(ClsDataPreprocessor):
    """:class:`ClsDataPreprocessor` that also takes a :class:`BranchPair`.

    A collated training batch of :class:`DualSampleDataset` is a
    ``BranchPair`` of two ordinary batches. Each half goes through the
    parent's processing alone (device move, BGR->RGB, normalisation,
    padding, batch augments), and the result keeps the pair:
    ``dict(inputs=BranchPair, data_samples=BranchPair)``. Any other batch
    (validation, testing, inference) is processed exactly as by the parent.

    Args:
        **kwargs: Arguments of :class:`ClsDataPreprocessor`.
    """

    def forward(self, data: Union[dict, BranchPair],
                training: bool = False) -> dict:
        """Process one batch, or each half of a pair of batches.

        Args:
            data (dict | BranchPair): A collated batch or pair of batches.
            training (bool): Whether training-time augments apply.

        Returns:
            dict: ``inputs`` and ``data_samples``, each a ``BranchPair`` when
            ``data`` is one.
        """
        if not isinstance(data, BranchPair):
            return super().forward(data, training)
        halves = []
        for half in data:
            halves.append(super().forward(half, training))
        return dict(
            inputs=BranchPair(*(h['inputs'] for h in halves)),
            data_samples=BranchPair(*(h.get('data_samples')
                                      for h in halves)))


__all__ = ['BBNDataPreprocessor']
