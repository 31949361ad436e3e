"""Pictures of long-tailed results (Matplotlib, Agg backend)."""
from .long_tail_plots import (load_result, plot_class_distribution,
                              plot_per_class_accuracy,
                              plot_reliability_diagram)

__all__ = [
    'load_result', 'plot_class_distribution', 'plot_per_class_accuracy',
    'plot_reliability_diagram'
]
