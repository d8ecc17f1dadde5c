r"""Data problems: linear and logistic regression, and a small neural network.

A data problem minimises a mean over samples,

.. math:: f(\theta) = \frac1n \sum_{i=1}^n \ell(\theta; x_i, y_i)
          + \frac\lambda2 \lVert\theta\rVert^2 ,

and a minibatch ``B`` (an index array drawn by
:meth:`~lrlab.problem.Problem.sample_batch`) replaces the mean over all
samples by the mean over ``B``: an unbiased estimate of the loss and of its
gradient. Like every lrlab problem, the methods vectorise over a leading run
shape: ``theta`` of shape ``(..., dim)``.

The L2 penalty ``l2`` covers every parameter, the intercept and the biases
included, exactly like ``weight_decay`` in ``torch.optim`` (scikit-learn's
``Ridge`` leaves the intercept out; centre the data and use
``fit_intercept=False`` to get its solution). It keeps the constants clean:
:math:`L = \lambda_{\max} + \lambda` and :math:`\mu = \lambda_{\min} + \lambda`.

:class:`DataProblem` (:mod:`lrlab.models.base`) is the base of every data problem;
:class:`LinearRegression` and :class:`LogisticRegression` live in
:mod:`lrlab.models.linear`, :class:`MLP` in :mod:`lrlab.models.mlp`;
:mod:`lrlab.models.functions` calls a learner's own loss and gradient for
``lrlab.Problem.from_functions``.

>>> import numpy as np
>>> from lrlab.datasets import noisy_line
>>> from lrlab.models import LinearRegression
>>> problem = LinearRegression(noisy_line(100, noise=0.1))
>>> problem.dim, bool(np.allclose(problem.solution, [2.0, -1.0], atol=0.05))
(2, True)
"""

from .base import DataProblem
from .linear import LinearRegression, LogisticRegression
from .mlp import MLP
from .mup import mup_lr_multipliers

__all__ = ["MLP", "DataProblem", "LinearRegression", "LogisticRegression", "mup_lr_multipliers"]
