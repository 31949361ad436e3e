"""Seeded random crop and flip of whole batches, on the batch's device."""
from numbers import Number
from typing import Sequence, Tuple, Union

import torch
import torch.nn.functional as F

from mmbbn.registry import BATCH_AUGMENTS

MASK32 = 0xFFFFFFFF


def _mul32(x: torch.Tensor, c: int) -> torch.Tensor:
    """``(x * c) mod 2**32`` for uint32 values held in int64, in 16-bit
    halves of ``c`` so that no product overflows int64."""
    lo, hi = c & 0xFFFF, c >> 16
    return (x * lo + (((x * hi) & 0xFFFF) << 16)) & MASK32


def hash32(x: torch.Tensor) -> torch.Tensor:
    """Wellons' "lowbias32" mix of the low 32 bits of int64 ``x``,
    elementwise, into int64 values in ``[0, 2**32)``."""
    x = x & MASK32
    x = x ^ (x >> 16)
    x = _mul32(x, 0x7FEB352D)
    x = x ^ (x >> 15)
    x = _mul32(x, 0x846CA68B)
    return x ^ (x >> 16)


def random_words(seeds: torch.Tensor, stream: int,
                 count: int) -> torch.Tensor:
    """``count`` (< 2**16) uniform 32-bit words per int64 seed, (N, count).

    Word ``j`` of ``stream`` for seed ``x`` is
    ``hash32(hash32(hash32(x_hi) ^ x_lo) ^ hash32(stream * 2**16 + j))``.
    """
    key = hash32(hash32(seeds >> 32) ^ (seeds & MASK32))
    counters = torch.arange(count, device=seeds.device) + (stream << 16)
    return hash32(key[:, None] ^ hash32(counters)[None, :])


def uniform_int(words: torch.Tensor, n: int) -> torch.Tensor:
    """Uniform 32-bit words -> integers on ``[0, n)`` (bias < n / 2**32)."""
    return (words * n) >> 32


def _check_seeds(name: str, inputs: torch.Tensor,
                 seeds: torch.Tensor) -> None:
    if not (torch.is_tensor(seeds) and seeds.dtype == torch.int64
            and seeds.shape == inputs.shape[:1]):
        got = (f'{seeds.dtype} {tuple(seeds.shape)}'
               if torch.is_tensor(seeds) else type(seeds).__name__)
        raise TypeError(
            f'{name} takes (inputs, seeds): int64 seeds, one per image '
            f'({inputs.shape[0]}), got {got}; name it in '
            "SeededDataPreprocessor's augments, not in ClsDataPreprocessor's "
            'batch_augments (which passes label scores)')


def crop_at(images: torch.Tensor, top: torch.Tensor, left: torch.Tensor,
            size: Tuple[int, int]) -> torch.Tensor:
    """Crop each image of (N, C, H, W) at its own int64 offsets ``top``,
    ``left`` (N, ) to ``size = (h, w)``, in one gather."""
    h, w = size
    rows = top[:, None] + torch.arange(h, device=images.device)
    cols = left[:, None] + torch.arange(w, device=images.device)
    batch = torch.arange(len(images), device=images.device)
    # Advanced indices around a slice give (N, h, w, C); back to the
    # batch's own layout (channels-last is ChannelsLastHook's choice).
    crops = images[batch[:, None, None], :, rows[:, :, None], cols[:, None, :]]
    return crops.permute(0, 3, 1, 2).contiguous()


@BATCH_AUGMENTS.register_module()
class BatchRandomCrop:
    """MMPretrain's ``RandomCrop(crop_size, padding, pad_val)`` (constant
    padding) of every item of a batch, at a uniform offset hashed from the
    item's seed (so independent of the batch, workers, device and resume).
    ``stream`` picks the words of each seed it uses; two augments of one
    batch must differ."""

    def __init__(self, crop_size: Union[int, Sequence[int]],
                 padding: Union[int, Sequence[int], None] = None,
                 pad_val: Number = 0, stream: int = 1) -> None:
        self.crop_size = ((crop_size, crop_size) if isinstance(
            crop_size, int) else tuple(crop_size))
        padding = (padding or 0, ) if not isinstance(
            padding, Sequence) else tuple(padding)
        if len(padding) not in (1, 2, 4):
            raise ValueError(
                f'BatchRandomCrop: padding={padding!r} is not an int, '
                '(left/right, top/bottom) or (left, top, right, bottom)')
        # (left, top, right, bottom)
        self.padding = padding * (4 // len(padding))
        self.pad_val = pad_val
        self.stream = stream

    def offsets(self, seeds: torch.Tensor, height: int,
                width: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """int64 ``top`` and ``left`` (N, ) of each crop in the padded
        ``height`` x ``width`` images."""
        h, w = self.crop_size
        if height < h or width < w:
            raise ValueError(
                f'BatchRandomCrop: crop {h}x{w} is larger than the padded '
                f'images ({height}x{width})')
        words = random_words(seeds, self.stream, 2)
        return (uniform_int(words[:, 0], height - h + 1),
                uniform_int(words[:, 1], width - w + 1))

    def __call__(self, inputs: torch.Tensor,
                 seeds: torch.Tensor) -> torch.Tensor:
        _check_seeds(type(self).__name__, inputs, seeds)
        left, top, right, bottom = self.padding
        if any(self.padding):
            inputs = F.pad(inputs, (left, right, top, bottom),
                           value=self.pad_val)
        top_off, left_off = self.offsets(seeds, *inputs.shape[-2:])
        return crop_at(inputs, top_off, left_off, self.crop_size)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(crop_size={self.crop_size}, '
                f'padding={self.padding}, pad_val={self.pad_val})')


@BATCH_AUGMENTS.register_module()
class BatchRandomFlip:
    """``RandomFlip(prob, direction)`` of every item of a batch; ``stream``
    as in :class:`BatchRandomCrop`."""

    def __init__(self, prob: float = 0.5, direction: str = 'horizontal',
                 stream: int = 2) -> None:
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'BatchRandomFlip: prob={prob!r} is outside '
                             '[0, 1]')
        if direction not in ('horizontal', 'vertical'):
            raise ValueError(f'BatchRandomFlip: direction={direction!r} is '
                             "not 'horizontal' or 'vertical'")
        self.prob = prob
        self.direction = direction
        self.stream = stream

    def flips(self, seeds: torch.Tensor) -> torch.Tensor:
        """Whether each item is flipped, from its seed (bool (N, ))."""
        threshold = int(round(self.prob * 2**32))
        return random_words(seeds, self.stream, 1)[:, 0] < threshold

    def __call__(self, inputs: torch.Tensor,
                 seeds: torch.Tensor) -> torch.Tensor:
        _check_seeds(type(self).__name__, inputs, seeds)
        dim = -1 if self.direction == 'horizontal' else -2
        flip = self.flips(seeds)[:, None, None, None]
        return torch.where(flip, inputs.flip(dim), inputs)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(prob={self.prob}, '
                f'direction={self.direction!r})')
