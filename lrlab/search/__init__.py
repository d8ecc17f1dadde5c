r"""Choosing the learning rate by search: grid or log-uniform random, scored on held-out data.

The textbook answer to "how do I choose the learning rate?" (Bengio 2012;
Bergstra & Bengio 2012): try several, train each for a while, and keep the
one with the lowest *validation* loss. This module does exactly that::

    candidates  = grid (lrs x values)  or  random (log-uniform lr, + one more hyperparameter)
    for each fold (one split, or k folds):
        train all candidates together      # one batched lrlab.train call when the rule allows
        score = validation loss at the end # inf for a run that diverged
    best = argmin of the mean score

Candidates share one :func:`lrlab.train` call whenever ``make_rule`` accepts
arrays (``sgd``, the adaptive rules, ...): 20 learning rates cost about as
much as one. For a rule that does not, they run one by one.

References
----------
Bergstra & Bengio (2012), "Random search for hyper-parameter optimization", JMLR 13.
Bengio (2012), "Practical recommendations for gradient-based training of deep
architectures", in Neural Networks: Tricks of the Trade.
"""

from .refine import refined_best_lr
from .result import SearchResult
from .run import grid_search, random_search

__all__ = ["SearchResult", "grid_search", "random_search", "refined_best_lr"]
