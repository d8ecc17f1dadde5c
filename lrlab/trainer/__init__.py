"""``train``: the one training loop of lrlab.

One loop serves every rule, problem and widget::

    for t in range(num_steps):
        batch       = problem.sample_batch(rng, batch_size)
        loss, g     = problem.loss_and_grad(theta, batch)
        step, state = rule.update(g, state, theta, t=t, loss=loss, loss_fn=...)
        theta       = theta + step

A run that diverges (a non-finite loss or gradient, or a loss more than
``divergence_factor`` times its start) is *frozen*: its record ends there
(the step and the reason are kept, everything after is NaN) and the other
runs go on. (Inside the batched loop an ended run keeps being computed,
harmlessly, under ``np.errstate``; its values are blanked at the end.)
Divergence is a result, not a crash, and no numpy RuntimeWarning escapes.

Modules: :mod:`~lrlab.trainer.loop` (``train`` and the step loop),
:mod:`~lrlab.trainer.recorder` (what is recorded, and the History it becomes),
:mod:`~lrlab.trainer.stopping` (``EarlyStopping``; when and why a run ends),
:mod:`~lrlab.trainer.batches` (the loop's minibatches, drawn in chunks: the same ones).
"""

from .loop import AUTO_PARAMS_LIMIT, train
from .stopping import EarlyStopping

__all__ = ["AUTO_PARAMS_LIMIT", "EarlyStopping", "train"]
