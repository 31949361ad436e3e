"""Pictures of long-tailed results (Matplotlib, Agg backend)."""
from .long_tail_plots import (find_scalars, load_result, load_scalars,
                              plot_alpha, plot_class_distribution,
                              plot_per_class_accuracy,
                              plot_reliability_diagram)

__all__ = [
    'find_scalars', 'load_result', 'load_scalars', 'plot_alpha',
    'plot_class_distribution', 'plot_per_class_accuracy',
    'plot_reliability_diagram'
]
