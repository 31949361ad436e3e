"""Training-time machinery: hooks, loops, optimizer wrappers."""
from . import hooks, optimizers, runners
from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
from .runners import *  # noqa: F401,F403

__all__ = hooks.__all__ + optimizers.__all__ + runners.__all__
