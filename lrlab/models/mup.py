r"""muP's learning rates for Adam: per-layer factors that let one rate transfer across widths.

In the standard parametrisation (SP: He or Glorot initialisation, one global
rate) the best Adam rate of an MLP falls as the network widens. Yang et al.
(2022, *Tensor Programs V: Tuning Large Neural Networks via Zero-Shot
Hyperparameter Transfer*; the theory in Yang & Hu 2021) derive the maximal
update parametrisation, muP, in which the best rate stays put. Its rule for
Adam (their Table 3): a weight matrix whose fan-in grows with the width (the
hidden and output layers) gets the rate :math:`\eta \cdot n_0 / n`
(:math:`n` its fan-in, :math:`n_0` the base network's); the input layer and
every bias keep :math:`\eta`. muP also initialises the output layer with
variance :math:`1/n^2` instead of :math:`1/n`, which these factors do not do:
with them alone the network keeps its SP initialisation and gets muP's rates.

>>> from lrlab.datasets import blobs
>>> from lrlab.models import MLP
>>> data = blobs(60, seed=0)
>>> wide, base = MLP(data, hidden=(64,)), MLP(data, hidden=(16,))
>>> m = mup_lr_multipliers(wide, base=base)
>>> float(m[wide.param_slices["W1"]].max()), float(m[wide.param_slices["W2"]].max())
(1.0, 0.25)
"""

from __future__ import annotations

import numpy as np

from .._validation import fail
from .mlp import MLP

__all__ = ["mup_lr_multipliers"]


def mup_lr_multipliers(network: MLP, *, base: MLP) -> np.ndarray:
    r"""Factors on Adam's rate that give ``network`` muP's per-layer rates, relative to ``base``.

    .. math:: m_i = \begin{cases} n_0^{(l)} / n^{(l)} & \theta_i \in W_l \\
              1 & \theta_i \in b_l \end{cases}

    with :math:`n^{(l)}` the fan-in of layer :math:`l` (1 for the input layer,
    whose fan-in is the data's). Use it as
    ``chain(adam(lr), scale_by_multipliers(m))``; at ``network == base`` it is all
    ones, so the base network's best rate is the rate every width shares.

    Parameters
    ----------
    network : MLP
        The network to train.
    base : MLP
        The network whose rate is tuned: same inputs, outputs and depth.

    Returns
    -------
    ndarray, shape (network.dim,)

    Raises
    ------
    TypeError
        If either is not an :class:`~lrlab.models.MLP`.
    ValueError
        If the two differ in inputs, outputs or number of layers.
    """
    owner = "mup_lr_multipliers"
    for value, name in ((network, "network"), (base, "base")):
        if not isinstance(value, MLP):
            fail(value, name, owner, allowed="an lrlab MLP", exc=TypeError)
    a, b = network.sizes, base.sizes
    if len(a) != len(b) or a[0] != b[0] or a[-1] != b[-1]:
        fail(base, "base", owner, allowed=f"an MLP with {len(a) - 2} hidden layers, {a[0]} "
             f"inputs and {a[-1]} outputs, like the network (sizes {a}); got sizes {b}")
    m = np.ones(network.dim)
    for layer, (fan_in, base_fan_in) in enumerate(zip(a[:-1], b[:-1], strict=True), 1):
        m[network.param_slices[f"W{layer}"]] = base_fan_in / fan_in
    return m
