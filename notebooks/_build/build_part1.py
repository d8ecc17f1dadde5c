"""Write notebooks 00-04 of the course with nbformat, then execute them in place.

    .venv/bin/python notebooks/_build/build_part1.py            # write + execute all
    .venv/bin/python notebooks/_build/build_part1.py --no-exec  # write only
    .venv/bin/python notebooks/_build/build_part1.py 01         # one notebook

The notebooks are the product; this script is how they are kept consistent
(headings, kernel name, stored outputs). Edit the text here, not in the
.ipynb, and rerun. Executing stores the outputs (so the notebooks read well on
GitHub) and the widget state.
"""

# ruff: noqa: E501  (this file is mostly Markdown prose in strings)
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CHECK, code, md
from _common import main as build

SETUP = code("""
import matplotlib.pyplot as plt
import numpy as np

import lrlab
from lrlab import plots, sgd, train, widgets
from lrlab.surfaces import ill_conditioned, parabola, quadratic, rosenbrock

np.set_printoptions(precision=4, suppress=True)
""")

# =============================================================================== 00
NB00 = [
    md("""
# Choosing the learning rate for SGD — start here

Welcome to **lrlab**, a course that answers one question by experiment:
*how do I choose the learning rate of stochastic gradient descent?*

## Learning objectives

After this notebook you will be able to

1. state the question this course answers and its five sub-questions, and find the notebook that answers each;
2. write one step of gradient descent, $\\theta_{t+1} = \\theta_t - \\eta\\, \\nabla f(\\theta_t)$, and say what the learning rate $\\eta$ does in it;
3. use the course's tools: live apps with sliders, *predict-then-move* prompts, check-yourself questions, and `assert` cells that check every claim the text makes.
"""),
    md("""
## The question

A learner implementing SGD for a neural network asked, in a much-read public thread, how to
pick the learning rate. Their question splits into five:

| # | The learner asked | Short answer | Where |
|---|---|---|---|
| 1 | Is the learning rate related to the *shape* of the error surface? | Plain SGD uses one global rate that ignores the shape, but the *range of rates that work* is set by the curvature: stable below $2/L$, where $L$ is the largest curvature. | [01](01_step_size_on_a_bowl.ipynb), [07](07_sharp_and_flat_minima.ipynb), [08](08_curvature_and_line_search.ipynb) |
| 2 | If so, how do I use the shape to choose a value? | Estimate $L$ (or let a rule adapt per coordinate): $1/L$ is safe on smooth convex losses; adaptive rules scale each coordinate by its gradient history. | [01](01_step_size_on_a_bowl.ipynb), [05](05_adaptive_rates.ipynb), [08](08_curvature_and_line_search.ipynb) |
| 3 | If not, which values should I try, and how? | Log-spaced values (1e-5 … 1), an LR range test, and a search scored on validation data. | [02](02_divergence_and_nan.ipynb), [06](06_lr_range_test.ipynb), [09](09_choosing_in_practice.ipynb) |
| 4 | Small values avoid overshooting, but how do I avoid crawling (or getting stuck)? | Go near the highest *stable* rate, and learn to recognise "too high" (oscillation, blow-up, NaN) and "too low" (a flat, slow curve). | [01](01_step_size_on_a_bowl.ipynb), [02](02_divergence_and_nan.ipynb), [07](07_sharp_and_flat_minima.ipynb) |
| 5 | Constant, or changed as training nears a minimum? | With noisy gradients a constant rate stalls on a *noise floor*; decaying it (step ÷10, 1/t, cosine, on plateau) removes the floor. | [03](03_stochastic_gradients.ipynb), [04](04_annealing_and_schedules.ipynb) |

Notebooks 00–04 (this part) cover the foundations: step size and curvature, divergence,
gradient noise and schedules. Notebooks 05–09 build on them.
"""),
    md("""
## The notebooks

| notebook | what you will see and do |
|---|---|
| [01 · Step size on a bowl](01_step_size_on_a_bowl.ipynb) | The learning rate against the curvature: monotone below $1/L$, oscillating between $1/L$ and $2/L$, diverging above; the condition number and the $(\\kappa-1)/(\\kappa+1)$ rate; momentum. |
| [02 · Divergence and NaN](02_divergence_and_nan.ipynb) | What "too high" looks like: zigzag, blow-up, `inf`, `NaN`; finding the highest stable rate in one sweep; the update-to-parameter ratio; gradient clipping. |
| [03 · Stochastic gradients](03_stochastic_gradients.ipynb) | Minibatch noise, batch size and the noise floor of a constant learning rate, predicted and measured. |
| [04 · Annealing and schedules](04_annealing_and_schedules.ipynb) | Constant or changing? Step decay by 10x with early stopping, 1/t and 1/√t, exponential, cosine, warm-up, restarts, one-cycle, reduce-on-plateau. |
| [05 · Adaptive rates](05_adaptive_rates.ipynb) | One rate per coordinate: Adagrad (shrinks like 1/√t), RMSprop, Adadelta (and why it is used with a learning rate), Adam's bias correction, where ε sits, FTRL and the seed's time × gradient rates, the σθ/σg parabola rule, a learning-rate-free method (DoG). |
| [06 · The LR range test](06_lr_range_test.ipynb) | The LR finder on an MLP: walk along the sweep, the four suggestions side by side, their band over seeds and batch sizes, where they mislead, and how they compare with a validation grid search. |
| [07 · Sharp and flat minima](07_sharp_and_flat_minima.ipynb) | Why lr > 2/curvature ejects the iterate from a sharp minimum; a basin map for every start and rate; noise prefers flat basins; the edge of stability and the catapult; sharpness depends on the parametrisation. |
| [08 · Curvature and line search](08_curvature_and_line_search.ipynb) | 1/L and 2/(μ+L), exact line search and its zig-zag, Armijo, Polyak, Barzilai–Borwein, L-BFGS, compared by gradient and function evaluations. |
| [09 · Choosing in practice](09_choosing_in_practice.ipynb) | A recipe; grid versus log-uniform random search with validation; the update-ratio monitor; the advisor; a checklist answering the seed's questions; the lrlab → PyTorch / Keras / optax table. |
| [Dashboard](dashboard.ipynb) | The explorers as one app (also served by Voilà). |
| [Exercises](exercises/) | Coursework with instant self-checks: a GD step and the stability limit, schedules, Adagrad and RMSprop, an LR range test. |
"""),
    md("""
## How to use these notebooks

* **Run all cells** (menu *Run → Run All Cells*). Every notebook runs top to bottom in well under a minute.
* **Apps** are live figures with sliders. Each learning-rate slider is logarithmic; you can also type a value in its readout. A status line under the controls says what the run did ("converged in 84 steps", "diverged at step 12: …"). If something goes wrong inside an app, the error appears in a red box in the app.
* With `%matplotlib widget` at the top of a notebook, the apps use ipympl's canvas (zoom and pan); without it they show images, which work everywhere (JupyterLab, Notebook 7, VS Code, Voilà).
* **Predict, then move the slider.** When a prompt asks you to predict, write your guess down *before* you touch the slider. Being surprised is how you learn.
* **Check yourself** questions give instant feedback.
* Cells with `assert` check the claims of the text on the spot; if you change a parameter and an assertion fails, the claim no longer holds for your setting — that is a finding, not a bug.

## Notation used in every notebook

| symbol | meaning |
|---|---|
| $\\theta_t$ | the parameters after $t$ steps ($\\theta^\\star$ a minimiser, $f^\\star = f(\\theta^\\star)$) |
| $g_t$ | the gradient used at step $t$ (full or minibatch) |
| $\\eta$, $\\eta_t$ | the learning rate (step size), constant or scheduled |
| $L$ | the smoothness constant: the largest curvature (top Hessian eigenvalue; the Lipschitz constant of the *gradient*) |
| $\\mu$ | the smallest curvature (strong convexity); $\\kappa = L/\\mu$ the condition number |
| $\\mu_m$ | a momentum coefficient (PyTorch's `momentum`; rendered as $\\mu$ in the rules' own formulas) |
| $B$ | the batch size |
"""),
    SETUP,
    md("""
## One step of gradient descent

Gradient descent moves the parameters a little way downhill:

$$\\theta_{t+1} = \\theta_t - \\eta\\, g_t, \\qquad g_t = \\nabla f(\\theta_t).$$

The learning rate $\\eta$ (also called the step size) converts a gradient, measured in
*loss per unit of parameter*, into a move, measured in *units of parameter*. That is why it
cannot be chosen without looking at the problem: the same $\\eta$ is a tiny step on a flat
loss and a huge one on a steep loss. *Stochastic* gradient descent uses the same update with
$g_t$ computed on a random minibatch instead of the whole data set.

The rule below is the object lrlab runs; its formula is rendered from the rule itself:
"""),
    code("""
sgd(0.1)
"""),
    md("""
## A first experiment

Take the one-dimensional bowl $f(x) = \\tfrac{L}{2} x^2$ with curvature $L = 1$, start at
$x_0 = 1$, and run 50 steps at three learning rates. `train` runs all three at once (an
array of learning rates gives one run per entry).
"""),
    code("""
bowl = parabola(curvature=1.0)
lrs = np.array([0.1, 1.0, 2.5])
h = train(bowl, sgd(lrs), 50)
for lr, status, loss in zip(lrs, h.status(), h.final_loss, strict=True):
    print(f"lr = {lr:<4}  {status:9s} final loss {loss:.3g}")
""" + "\n" + CHECK),
    md("""
The same three runs as a picture (the loss against the step, on a log scale, where a constant
factor per step is a straight line; the diverging run stops where the trainer froze it):
"""),
    code("""
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
for k, lr in enumerate(lrs):
    plots.loss_curve(np.maximum(h.loss[:, k], 1e-20), ax, color=plots.COLORS[k],
                     label=f"lr = {lr}")
ax.text(2, 3e-20, "lr = 1 reaches exactly 0 (drawn at 1e-20)", fontsize=8)
ax.set_xlabel("step $t$")
ax.set_ylabel("loss $f(x_t)$")
ax.legend(fontsize=8)
plt.show()
"""),
    md("""
**Read the numbers.** At $\\eta = 0.1$ the loss has come down but not to zero: each step
only removes 10% of the distance to the minimum. At $\\eta = 1$ the first step lands exactly
on the minimum. At $\\eta = 2.5$ every step overshoots by more than it corrects and the run
diverges. Notebook 01 explains the exact boundaries. The claims, checked:
"""),
    code("""
assert h.final_loss[1] < 1e-20          # lr = 1/L: exactly at the minimum after one step
assert 1e-6 < h.final_loss[0] < 1e-3    # lr = 0.1: still on its way
assert h.diverged[2]                    # lr = 2.5 > 2/L: diverged
"""),
    md("""
## Your first app

The 1-D explorer runs gradient descent on a parabola. Left: the curve with the steps (the
first ones as arrows). Right: the *cobweb* of the map $x \\mapsto x - \\eta f'(x)$. Bottom: the
distance to the minimum on a log scale, and the learning rate measured in units of $1/L$,
shaded by what happens there.

**Predict, then move the slider.** The app starts at $\\eta = 0.3$. Predict: at which value of
$\\eta$ does the first step jump *past* the minimum to the other side? Then move the `lr` slider
and find out.
"""),
    code("""
app = widgets.explorer_1d(lr=0.3)
app
"""),
    md("""
You can also drive an app from code, which is how the course checks its claims (and how
you can script your own experiments):
"""),
    code("""
app.lr.value = 1.5
print(app.status_text)
assert "oscillating" in app.status_text
app.lr.value = 0.3
""" + "\n" + CHECK),
    md("""
### Check yourself
"""),
    code("""
widgets.quiz(
    "Gradient descent on f(x) = x² (so f'' = L = 2). Which learning rate makes it diverge?",
    answer="1.1", options=["0.1", "0.5", "0.9", "1.1"],
    explanation="Each step multiplies x by 1 − ηL = 1 − 2η. That has magnitude above 1 "
                "only when η > 2/L = 1, so only η = 1.1 diverges (0.9 oscillates but converges).")
"""),
    md("""
## Takeaways

* The learning rate turns a gradient into a step. Its sensible range depends on the problem's curvature, so no single value is right for every problem.
* Too small crawls; too large overshoots, oscillates and eventually diverges. Notebooks 01–02 find the exact boundaries.
* lrlab gives you runs (`train`), rules with their formulas (`sgd`), and apps whose controls you can move by hand or from code.

## References

* H. Robbins and S. Monro (1951). *A stochastic approximation method.* Annals of Mathematical Statistics 22(3). The origin of SGD and of decaying step sizes.
* A. Karpathy et al. *CS231n: Convolutional Neural Networks for Visual Recognition*, course notes "Neural Networks Part 3: Learning and Evaluation" (Stanford). Practical advice on learning rates, loss curves, annealing.
* A. Ng. *CS294A Lecture notes: Sparse autoencoder* (Stanford, 2011). Gradient checking and choosing the learning rate (section on gradient descent).
* G. Goh (2017). *Why Momentum Really Works.* Distill. An explorable explanation of step sizes and momentum on quadratics.
* L. Bottou, F. E. Curtis and J. Nocedal (2018). *Optimization methods for large-scale machine learning.* SIAM Review 60(2).
"""),
]

# =============================================================================== 01
NB01 = [
    md("""
# 01 · Step size on a bowl: overshoot, 1/L, 2/L and the condition number

*Is the learning rate related to the shape of the error surface?* For plain SGD the rate is one
global number that does not look at the shape, but **which numbers work is decided by the
shape**. This notebook makes that precise on the one surface where everything can be worked
out by hand: a quadratic bowl.

## Learning objectives

1. Derive the one-step error factor $1 - \\eta L$ on a parabola, and from it the three regimes: monotone ($\\eta < 1/L$), oscillating ($1/L < \\eta < 2/L$), diverging ($\\eta > 2/L$).
2. Explain why, in several dimensions, the *largest* curvature $L$ limits the step and the *smallest* $\\mu$ sets the speed, and compute the best constant rate $2/(\\mu + L)$ and its rate $(\\kappa - 1)/(\\kappa + 1)$.
3. Predict how many steps gradient descent needs on an ill-conditioned bowl, and why momentum helps.
"""),
    SETUP,
    md("""
## 1. One dimension: every step multiplies the error

On $f(x) = \\tfrac{L}{2}(x - x^\\star)^2$ the gradient is $f'(x) = L (x - x^\\star)$, so one step gives

$$x_{t+1} - x^\\star = (x_t - x^\\star) - \\eta L (x_t - x^\\star) = (1 - \\eta L)\\,(x_t - x^\\star),$$

and after $t$ steps $x_t - x^\\star = (1 - \\eta L)^t (x_0 - x^\\star)$. Everything follows from the
factor $r = 1 - \\eta L$:

| learning rate | factor $r = 1 - \\eta L$ | what you see |
|---|---|---|
| $0 < \\eta < 1/L$ | $0 < r < 1$ | monotone approach from one side; slow when $\\eta \\ll 1/L$ |
| $\\eta = 1/L$ | $r = 0$ | lands on the minimum in one step |
| $1/L < \\eta < 2/L$ | $-1 < r < 0$ | overshoots, zigzags across the minimum, still converges |
| $\\eta = 2/L$ | $r = -1$ | bounces between $\\pm (x_0 - x^\\star)$ forever |
| $\\eta > 2/L$ | $r < -1$ | every overshoot is bigger than the last: divergence |

So yes — the learning rate is tied to the shape, through the curvature $L = f''$.
A sharper bowl (larger $L$) needs a smaller step. The quantity that matters is $\\eta L$: the
learning rate measured in units of $1/L$.
"""),
    md("""
**Predict, then move the slider.** (1) With curvature $L = 1$, where does the zigzag start?
(2) Set $\\eta = 1.5$ and then raise the *curvature* slider to 2 without touching $\\eta$. What
happens, and why? (3) In the bottom-left panel the distance to the minimum is a straight line
on the log scale. What is its slope?
"""),
    code("""
app1 = widgets.explorer_1d(lr=0.5, curvature=1.0)
app1
"""),
    md("""
The answer to (3): $\\log_{10}|1 - \\eta L|$ per step. We measure the factor from a run and compare:
"""),
    code("""
L = 2.0
bowl = parabola(curvature=L, x0=1.0)
lrs = np.array([0.1, 0.4, 0.75, 0.9, 1.05]) / L * 2   # eta*L = 0.2, 0.8, 1.5, 1.8, 2.1
h = train(bowl, sgd(lrs), 20, divergence_factor=None)
x = h.params[:, :, 0]
measured = x[20] / x[19]
for lr, r in zip(lrs, measured, strict=True):
    print(f"eta*L = {lr * L:4.2f}   measured factor {r:+.4f}   1 - eta*L = {1 - lr * L:+.4f}")
assert np.allclose(measured, 1 - lrs * L)
""" + "\n" + CHECK),
    md("""
### A curve that is not a parabola

Real losses are not parabolas: their curvature changes from place to place. Switch the app
to `curve` (a log-cosh curve, $f(x) = \\log\\cosh x$, whose curvature is 1 at the minimum and falls
towards 0 far away). The regimes still hold *near the minimum*, with $L$ the local curvature
there. Far from the minimum the slope is bounded, so even a large step makes only limited
progress.

**Predict:** with `curve` selected and $\\eta = 2.5$ (more than $2/L$ at the minimum), will the
run diverge to infinity, or do something else? Try it.
"""),
    code("""
from lrlab.surfaces import curve_1d

curve = curve_1d(x0=[2.5])
h = train(curve, sgd(2.5), 200)
print(f"final |x| = {abs(h.params[-1, 0]):.3f}, diverged: {h.diverged}")
assert not h.diverged and abs(h.params[-1, 0]) > 0.1   # neither converges nor blows up
""" + "\n" + CHECK),
    md("""
The run neither converges nor diverges: it settles into a bounded oscillation, because the
steps shrink where the curve flattens. Near a minimum, the local curvature sets the limit;
away from it, the global shape matters. Notebook 07 returns to this with sharp and flat
minima.

## 2. Several dimensions: the largest curvature limits, the smallest sets the pace

On $f(\\theta) = \\tfrac12 (\\theta - \\theta^\\star)^\\top A (\\theta - \\theta^\\star)$ with eigenvalues
$\\mu = \\lambda_{\\min} \\le \\dots \\le \\lambda_{\\max} = L$, write the error in the eigenvectors of $A$.
Each coordinate evolves on its own, by the 1-D rule:

$$e_{t+1, i} = (1 - \\eta \\lambda_i)\\, e_{t,i}.$$

* **Stability** needs $|1 - \\eta\\lambda_i| < 1$ for *every* $i$, that is $\\eta < 2/L$: the steepest direction limits the step.
* **Speed** is set by the slowest direction: at $\\eta = 1/L$, the flat direction shrinks by only $1 - \\mu/L = 1 - 1/\\kappa$ per step, where $\\kappa = L/\\mu$ is the **condition number**.
* The **best constant rate** balances the two extremes, $|1 - \\eta\\mu| = |1 - \\eta L|$, which gives
$$\\eta^\\star = \\frac{2}{\\mu + L}, \\qquad \\text{rate } \\max_i |1 - \\eta^\\star \\lambda_i| = \\frac{L - \\mu}{L + \\mu} = \\frac{\\kappa - 1}{\\kappa + 1}.$$

For $\\kappa = 100$, reducing the error tenfold at $\\eta = 1/L$ takes about $\\kappa \\ln 10 \\approx 230$
steps; even the best single rate $2/(\\mu+L)$ only halves that (about $\\tfrac{\\kappa}{2}\\ln 10 \\approx 115$
steps), because one number cannot suit a steep and a flat direction at once. For smooth convex
functions in general (not just quadratics), any fixed $\\eta \\le 1/L$ guarantees
$f(\\theta_t) - f^\\star \\le \\|\\theta_0 - \\theta^\\star\\|^2 / (2\\eta t)$, so $L\\|\\theta_0 - \\theta^\\star\\|^2/(2t)$ at
$\\eta = 1/L$: this is Theorem 6.1 of Ryan Tibshirani's CMU convex optimisation notes (lecture 6,
the lecture cited in the seed thread), and Nesterov (2004, §2.1.5) proves the same $O(1/t)$
rate — the classic "$1/L$ for smooth convex losses" rule.
"""),
    code("""
kappa = 10.0
bowl = ill_conditioned(kappa=kappa)          # L = 1, mu = 1/kappa, tilted by 30 degrees
L, mu = bowl.smoothness, bowl.strong_convexity
lrs = np.array([1 / L, 2 / (mu + L)])
h = train(bowl, sgd(lrs), 80)
err = np.linalg.norm(h.params - bowl.minima[0], axis=-1)
rate = (err[80] / err[60]) ** (1 / 20)
print(f"kappa = {kappa:g}: rate at 1/L      = {rate[0]:.4f}"
      f"  (theory 1 - 1/kappa = {1 - 1 / kappa:.4f})")
print(f"           rate at 2/(mu+L) = {rate[1]:.4f}"
      f"  (theory (k-1)/(k+1) = {(kappa - 1) / (kappa + 1):.4f})")
assert np.allclose(rate, [1 - 1 / kappa, (kappa - 1) / (kappa + 1)], atol=1e-3)
""" + "\n" + CHECK),
    md("""
**Predict, then move the sliders.** The 2-D explorer shows the contours of a tilted bowl and
the path of gradient descent.
(1) Start at $\\kappa = 10$ and $\\eta = 1/L = 1$. Raise $\\kappa$ to 100: what happens to the path
and to the number of steps? (2) Find the largest $\\eta$ that does not diverge. Does it depend on
$\\kappa$? (3) Select `momentum` too and compare.
"""),
    code("""
app2 = widgets.explorer_2d("ill_conditioned", rules=["GD", "momentum"], lr=1.0,
                           momentum=0.8, num_steps=150)
app2
"""),
    code("""
app2.kappa.value = 100.0
app2.lr.value = 2.05                 # just above 2/L
print(app2.status_text)
assert app2.status_text.startswith("GD: diverged")
app2.lr.value = 1.95                 # just below: converges, slowly, zigzagging across the valley
print(app2.status_text)
assert "diverged" not in app2.status_text.split("·")[0]
app2.kappa.value, app2.lr.value = 10.0, 1.0
""" + "\n" + CHECK),
    md("""
The stability limit $2/L$ does not move with $\\kappa$ (it depends on the steepest direction
only); what gets worse with $\\kappa$ is the speed along the flat direction.

### Momentum in one paragraph

Heavy-ball momentum (Polyak, 1964) adds a fraction $\\mu_m$ of the previous step to the current
one. On a quadratic, with the best choice of $\\eta$ and $\\mu_m$ its rate improves from
$(\\kappa-1)/(\\kappa+1)$ to $(\\sqrt\\kappa-1)/(\\sqrt\\kappa+1)$: for $\\kappa = 100$, from 0.98 to 0.82
per step. It also raises the stability limit to $\\eta < 2(1 + \\mu_m)/L$. Gabriel Goh's
*Why Momentum Really Works* (Distill, 2017) explores this beautifully. The rule, as lrlab runs it:
"""),
    code("""
sgd(0.1, momentum=0.9)
"""),
    code("""
kappa = 100.0
bowl = ill_conditioned(kappa=kappa)
L, mu = bowl.smoothness, bowl.strong_convexity
m = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2          # Polyak's tuning
lr_hb = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2
h_gd = train(bowl, sgd(2 / (mu + L)), 1500)
h_hb = train(bowl, sgd(lr_hb, momentum=m), 1500)

# History.steps_to: the first step at which the loss is 1e8 times smaller than at the start
gd_steps, hb_steps = h_gd.steps_to(1e-8), h_hb.steps_to(1e-8)
print(f"kappa = 100: steps to reduce the loss 1e8-fold: GD {gd_steps}, heavy ball {hb_steps}")
assert 0 < hb_steps * 4 < gd_steps
""" + "\n" + CHECK),
    md("""
### Check yourself
"""),
    code("""
widgets.quiz(
    "A quadratic bowl has curvatures mu = 0.1 and L = 1 (kappa = 10). What is the best "
    "constant learning rate for gradient descent? (type a number)",
    answer=2 / 1.1, rtol=0.01,
    explanation="eta* = 2/(mu + L) = 2/1.1 ≈ 1.818: it balances the flat direction "
                "(factor 1 − eta·mu) against the steep one (factor 1 − eta·L).")
"""),
    md("""
## Takeaways

* On a parabola one step multiplies the error by $1 - \\eta L$: monotone below $1/L$, oscillating between $1/L$ and $2/L$, diverging above $2/L$. The learning rate only means something relative to the curvature.
* In many dimensions the *largest* curvature $L$ caps the step ($\\eta < 2/L$), and the *smallest* sets the pace; their ratio $\\kappa$ decides how slow the best constant rate $2/(\\mu+L)$ is, at $(\\kappa-1)/(\\kappa+1)$ per step.
* $1/L$ is the safe, textbook choice for smooth convex losses; the fastest constant rates live just below the edge $2/L$ — the "highest stable learning rate" of practitioners.
* Momentum speeds up ill-conditioned problems; adaptive rules (notebook 05) and line searches (notebook 08) use the shape more directly.

## References

* Y. Nesterov (2004). *Introductory Lectures on Convex Optimization: A Basic Course.* Kluwer. §2.1: the $1/L$ step and its $O(1/t)$ guarantee; §2.1.5: the $2/(\\mu+L)$ step.
* S. Boyd and L. Vandenberghe (2004). *Convex Optimization.* Cambridge University Press, §9.3 (gradient descent and the condition number).
* B. T. Polyak (1964). *Some methods of speeding up the convergence of iteration methods.* USSR Computational Mathematics and Mathematical Physics 4(5).
* Y. LeCun, L. Bottou, G. Orr and K.-R. Müller (1998). *Efficient BackProp.* In *Neural Networks: Tricks of the Trade*, Springer. The eigenvalue view of the learning rate: optimal at $1/\\lambda_{\\max}$, divergent beyond $2/\\lambda_{\\max}$.
* G. Goh (2017). *Why Momentum Really Works.* Distill. doi:10.23915/distill.00006.
* R. Tibshirani (2013). *Convex Optimization* (CMU 10-725), lecture 6 scribe notes "Gradient descent", Theorem 6.1: with a fixed step $\\le 1/L$ on an $L$-smooth convex function, the gap after $k$ steps is at most $\\|\\theta_0-\\theta^\\star\\|^2/(2\\eta k)$. This is the lecture the seed thread points to.
"""),
]

# =============================================================================== 02
NB02 = [
    md("""
# 02 · What "too high" looks like: oscillation, blow-up, inf and NaN

A learning rate that is too high does not fail politely. This notebook shows the symptoms in
the order they appear, explains where `inf` and `NaN` come from, and turns the symptoms into a
procedure: find the highest stable learning rate, then back off.

## Learning objectives

1. Recognise the stages of a too-high learning rate: zigzag, growing oscillation, exploding loss, `inf`, `NaN`.
2. Explain why a loss becomes `NaN` (overflow to `inf`, then `inf − inf` or `0 · inf`), and name the other causes (division by zero, log of zero).
3. Locate the highest stable learning rate with one batched sweep, and read the update-to-parameter ratio as a warning light.
"""),
    SETUP,
    md("""
## 1. The stages of divergence

Above $2/L$ the error on a quadratic grows by $|1 - \\eta L| > 1$ per step: slowly at first,
then explosively, because growth is geometric. The loss grows by $|1 - \\eta L|^2$ per step.
lrlab's trainer declares a run *diverged* when its loss is non-finite, or when it exceeds
$10^5$ times its start; it then freezes the run and records the step and the reason, so a
diverging run is a result, not a crash.
"""),
    code("""
bowl = ill_conditioned(kappa=10.0)
L = bowl.smoothness
h = train(bowl, sgd(2.1 / L), 300)
print(f"lr = 2.1/L: {h.summary()}")
growth = h.loss[40] / h.loss[39]
print(f"loss growth per step near the end: {growth:.4f} "
      f"(theory (1 - 2.1)^2 = {(1 - 2.1) ** 2:.4f})")
assert h.diverged
assert abs(growth - 1.21) < 0.01
""" + "\n" + CHECK),
    md("""
**Predict, then move the slider.** On Rosenbrock's banana-shaped valley the curvature varies a
lot. The explorer starts at $\\eta = 10^{-3}$. Predict the smallest $\\eta$ at which the run
diverges, then move the slider and read the status line. (Hint: the curvature near the start
$(-1.2, 1)$ is about $10^3$.)
"""),
    code("""
app = widgets.explorer_2d("rosenbrock", rules=["GD"], lr=1e-3, num_steps=300)
app
"""),
    md("""
## 2. Where NaN comes from

Turn off the trainer's early warning (`divergence_factor=None`) and the run goes on until
floating point gives up. Numbers above about $1.8 \\times 10^{308}$ overflow to `inf`; after that,
`inf − inf` and `0 · inf` are `NaN`, and `NaN` spreads to everything it touches. So a `NaN`
loss after a few hundred healthy steps is the last stage of a divergence that began much
earlier.
"""),
    code("""
lrs = np.array([0.01, 0.001])
h = train(rosenbrock(), sgd(lrs), 200, divergence_factor=None)
for lr, status, step, reason in zip(lrs, h.status(), h.diverged_at, h.reason, strict=True):
    print(f"lr = {lr:<6} {status:9s} step {step:4d}  {reason}")
with np.errstate(all="ignore"):
    print("inf - inf =", np.inf - np.inf, "  0 * inf =", 0 * np.inf, "  log(0) =", np.log(0.0))
assert h.diverged[0] and "inf" in h.reason[0] and not h.diverged[1]
""" + "\n" + CHECK),
    md("""
Too high a learning rate is the most common cause of `NaN`, but not the only one: a division
by zero (e.g. normalising by a zero variance) or the log of zero (a predicted probability of
exactly 0 in a cross-entropy) give `NaN` at *any* learning rate. A quick test: lower the
learning rate tenfold. If the `NaN` moves later or disappears, the rate was the cause.

## 3. Find the highest stable learning rate in one sweep

Because lrlab runs many learning rates at once, a sweep over 60 log-spaced values costs about
as much as one run. The final loss against the learning rate has a characteristic shape:
slow on the left, best just below the edge, a cliff at the stability limit.
"""),
    code("""
bowl = ill_conditioned(kappa=10.0)
L = bowl.smoothness
lrs = np.geomspace(1e-3, 10, 60)
sweep = train(bowl, sgd(lrs), 100)
stable = ~sweep.diverged
highest = lrs[stable].max()
print(f"highest stable lr in the sweep: {highest:.3f}   (theory: just below 2/L = {2 / L:.3f})")
assert highest < 2 / L and lrs[np.searchsorted(lrs, highest) + 1] > 2 / L

fig, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
final = np.where(stable, sweep.final_loss, np.nan)
ax.loglog(lrs, final, "o-", markersize=3, label="final loss after 100 steps")
ax.loglog(lrs[~stable], np.full((~stable).sum(), final[stable].max() * 10), "x", color="C3",
          label="diverged")
for v, name in ((1 / L, "1/L"), (2 / L, "2/L")):
    ax.axvline(v, color="k", linestyle="--", linewidth=0.8)
    ax.text(v, ax.get_ylim()[1], name, ha="center", va="bottom")
ax.set_xlabel("learning rate")
ax.set_ylabel("final loss")
ax.legend(fontsize=8)
plt.show()
""" + "\n" + CHECK),
    md("""
The practical recipe that many practitioners follow (and the seed thread recommends) is:
**find the highest learning rate that is stable, then use something a bit below it, and decay
it over training** (notebook 04). On real networks the sweep is noisier and the edge is
softer — notebook 06 turns this into the LR range test.

## 4. A warning light: the update-to-parameter ratio

Andrej Karpathy's CS231n notes suggest watching $\\|\\Delta\\theta\\| / \\|\\theta\\|$, the size of each
update relative to the parameters: around $10^{-3}$ is healthy for neural networks; much larger
means the learning rate is probably too high, much smaller that it is too low. lrlab records it
for every run (`History.update_ratio`). On our bowl, whose minimum is at the origin, the ratio
is not meaningful near convergence, so look at the first steps:
"""),
    code("""
first = np.nanmedian(sweep.update_ratio[:10], axis=0)

def near(lr):
    return int(np.argmin(np.abs(lrs - lr)))

for lr in (1e-3, 1e-2, 1e-1, 1.0):
    print(f"lr = {lrs[near(lr)]:.3g}: median update ratio over the first 10 steps "
          f"{first[near(lr)]:.2g}")
# for small rates the update is proportional to the learning rate
ratio = first[near(1e-2)] / first[near(1e-3)]
assert 0.8 < ratio / (lrs[near(1e-2)] / lrs[near(1e-3)]) < 1.2
""" + "\n" + CHECK),
    md("""
## 5. Gradient clipping: a seat belt, not a cure

A *cliff* is a place where the gradient is suddenly huge: a step there can throw the run
far away, even at a learning rate that is fine elsewhere. Gradient clipping (Pascanu,
Mikolov & Bengio, 2013) rescales the gradient when its norm exceeds a bound $c$,

$$g \\leftarrow g \\cdot \\min\\big(1,\\ c / (\\lVert g\\rVert + 10^{-6})\\big),$$

exactly what `torch.nn.utils.clip_grad_norm_` does. In lrlab it is a link placed before the
rule: `chain(clip_by_norm(c), sgd(lr))`. Below, a run starts on the steep wall of Rosenbrock's
valley, where the gradient norm is about 14,000.
"""),
    code("""
from lrlab.rules import chain, clip_by_norm

start = [-3.0, -3.0]
plain = train(rosenbrock(), sgd(3e-3), 300, x0=start)
clipped = train(rosenbrock(), chain(clip_by_norm(10.0), sgd(3e-3)), 300, x0=start)
print("plain SGD:  ", plain.summary())
print("clipped SGD:", clipped.summary())
assert plain.diverged and not clipped.diverged and clipped.final_loss < 1
""" + "\n" + CHECK),
    md("""
Clipping saved the run from the cliff. But it does not make a too-high learning rate right:
on the bowl at $\\eta = 2.1/L$, where *every* step overshoots, the clipped run no longer
explodes, yet it does not converge either — it bounces at a fixed distance from the minimum.
"""),
    code("""
bowl = ill_conditioned(kappa=10.0)
bounced = train(bowl, chain(clip_by_norm(1.0), sgd(2.1 / bowl.smoothness)), 300)
print(f"clipped at 2.1/L: {bounced.status()}, loss {bounced.loss[0]:.3f} -> "
      f"{bounced.final_loss:.3f}")
assert not bounced.diverged and bounced.final_loss > 0.5 * bounced.loss[0]
""" + "\n" + CHECK),
    md("""
### Check yourself
"""),
    code("""
widgets.quiz(
    "Your training loss was falling, then jumped up and became NaN at step 300. "
    "What do you try first?",
    answer="Rerun with a learning rate 3–10x smaller",
    options=["Train for more steps", "Rerun with a learning rate 3–10x smaller",
             "Increase the learning rate to escape", "Ignore it: NaN losses are harmless"],
    explanation="A loss that grows and then turns NaN is the signature of divergence. "
                "If a smaller rate fixes it, the rate was the cause; if not, look for a "
                "division by zero or a log of zero.")
"""),
    md("""
## Takeaways

* A too-high learning rate shows, in order: zigzag, growing oscillation, exploding loss, `inf`, `NaN`. On a quadratic the loss grows by $(1 - \\eta L)^2$ per step above $2/L$.
* `NaN` is usually the *end* of a divergence (overflow to `inf`, then `inf − inf`); also check for division by zero and log of zero.
* One batched sweep finds the highest stable learning rate; the best constant rate sits a little below it.
* The update-to-parameter ratio (~1e-3 in neural networks, per CS231n) is a cheap warning light.
* Gradient clipping (Pascanu, Mikolov & Bengio, 2013) caps the size of a step and stops rare huge gradients from causing a blow-up; it does not fix a rate that is too high everywhere.

## References

* Y. LeCun, L. Bottou, G. Orr and K.-R. Müller (1998). *Efficient BackProp.* Divergence above $2/\\lambda_{\\max}$.
* A. Karpathy et al. *CS231n* course notes, "Neural Networks Part 3: Learning and Evaluation": loss curves for too high / too low rates and the update-to-parameter ratio.
* I. Goodfellow, Y. Bengio and A. Courville (2016). *Deep Learning.* MIT Press, §8.1.3 and §11.4 (the learning rate as the most important hyperparameter).
* R. Pascanu, T. Mikolov and Y. Bengio (2013). *On the difficulty of training recurrent neural networks.* ICML. Gradient clipping.
* D. Goldberg (1991). *What every computer scientist should know about floating-point arithmetic.* ACM Computing Surveys 23(1). inf and NaN.
* J. Cohen, S. Kaur, Y. Li, J. Z. Kolter and A. Talwalkar (2021). *Gradient descent on neural networks typically occurs at the edge of stability.* ICLR (see notebook 07).
"""),
]

# =============================================================================== 03
NB03 = [
    md("""
# 03 · Stochastic gradients: minibatch noise and the noise floor

SGD replaces the gradient of the whole data set by the gradient of a small random minibatch.
That makes each step cheap, and it changes what a learning rate does: **with a constant rate,
SGD does not converge to the minimum — it hovers around it, at a "noise floor" whose height is
proportional to the learning rate and inversely proportional to the batch size.**

## Learning objectives

1. Show that a minibatch gradient is an unbiased estimate of the full gradient whose variance shrinks like $1/B$.
2. Derive and measure the noise floor of constant-rate SGD on a quadratic, about $\\eta\\,\\mathrm{tr}(\\Sigma)/(4B)$ for small $\\eta$.
3. Explain the trade-off between learning rate and batch size (the linear scaling rule), and why batch size 1 diverges at learning rates that are safe in full batch.
"""),
    SETUP,
    md("""
## 1. A minibatch gradient is the full gradient plus noise

For a loss that is an average over $n$ samples, $f(\\theta) = \\frac1n \\sum_i f_i(\\theta)$, the
gradient of a minibatch $\\mathcal B$ of size $B$ drawn without replacement is

$$g_{\\mathcal B}(\\theta) = \\frac1B \\sum_{i \\in \\mathcal B} \\nabla f_i(\\theta)
= \\nabla f(\\theta) + \\xi, \\qquad \\mathbb E[\\xi] = 0, \\quad
\\mathrm{Cov}[\\xi] = \\frac{\\Sigma}{B}\\,\\frac{n - B}{n - 1},$$

where $\\Sigma$ is the covariance of the per-sample gradients. Our running example: least
squares fitted to 400 noisy points on a line (two parameters: slope and intercept).
"""),
    code("""
problem = widgets.default_data_problem()
theta_star = problem.minima[0]
print(problem.name, "| n =", problem.n_samples, "| L =", round(problem.smoothness, 4),
      "| solution", np.round(theta_star, 4))
rng = np.random.default_rng(0)
theta = np.array([0.0, 0.0])
full = problem.grad(theta)
for B in (1, 4, 16, 64):
    draws = np.array([problem.grad(theta, problem.sample_batch(rng, B)) for _ in range(4000)])
    bias = np.abs(draws.mean(axis=0) - full).max()
    spread = np.trace(np.cov(draws.T))
    print(f"B = {B:3d}: |mean - full gradient| = {bias:.3f}, total variance = {spread:7.3f}")
""" + "\n" + CHECK),
    md("""
The mean matches the full gradient (up to sampling error) at every batch size, and the
variance falls about 4x every time $B$ grows 4x.

## 2. The noise floor of a constant learning rate

Near the minimum, write $H$ for the Hessian. SGD with a constant rate is then the linear
recursion $e_{t+1} = (I - \\eta H) e_t - \\eta \\xi_t$: the contraction of notebook 01, plus a
random kick at every step. The kicks never stop, so the error settles into a stationary
distribution whose covariance $P$ solves the discrete Lyapunov equation

$$P = (I - \\eta H)\\, P\\, (I - \\eta H)^\\top + \\eta^2\\, \\Sigma_B,$$

and the expected loss above the minimum is $\\tfrac12 \\mathrm{tr}(H P)$. For small $\\eta$ this is
about

$$\\mathbb E f(\\theta_t) - f^\\star \\approx \\frac{\\eta}{4}\\, \\mathrm{tr}(\\Sigma_B) \\approx \\frac{\\eta\\, \\mathrm{tr}(\\Sigma)}{4B}.$$

The floor is **proportional to the learning rate** and **inversely proportional to the batch
size**. (Bottou, Curtis & Nocedal 2018, Thm. 4.6, prove the general version: with a fixed
step, SGD converges linearly to a neighbourhood of the optimum of size proportional to the
step.) `widgets.noise_floor` solves the Lyapunov equation exactly.

**Predict, then move the sliders.** The noise explorer starts at $\\eta = 0.2$, $B = 4$.
(1) If you halve the learning rate, what happens to the floor? (2) If you quadruple the batch
size? (3) What does the cloud of iterates on the left do in each case?
"""),
    code("""
noise = widgets.noise_explorer(problem, lr=0.2, batch_size=4)
noise
"""),
    md("""
Now measure the floor over a grid of learning rates and batch sizes, and compare with the
prediction. Each measurement is the mean full-data loss gap over the second half of a
2,000-step run.
"""),
    code("""
def measured_floor(lr, B, steps=2000, seed=0):
    h = train(problem, sgd(lr), steps, batch_size=B, seed=seed, eval_every=1,
              record_params=False)
    return float(np.mean(h.eval_loss[steps // 2:] - problem.f_star))

print(" lr     B   measured  predicted  ratio")
ratios = []
for lr in (0.05, 0.2):
    for B in (1, 4, 16):
        m, p = measured_floor(lr, B), widgets.noise_floor(problem, lr, B)
        ratios.append(m / p)
        print(f"{lr:4.2f} {B:4d}  {m:9.4f}  {p:9.4f}  {m / p:5.2f}")
assert all(0.5 < r < 1.6 for r in ratios)
""" + "\n" + CHECK),
    md("""
The prediction holds to about 10% in five of the six settings. The exception is the noisiest
one ($\\eta = 0.2$, $B = 1$), measured about 40% above the prediction: the iterates wander far
from the minimum there, and for least squares the gradient noise grows with the distance from
the minimum, while the model assumes it is the same everywhere. The small-$\\eta$ formula is a
guide to *how the floor scales*, not an exact number at large noise.

The floor in a picture: the full-data loss gap of one run at each batch size, with the
predicted floors as dashed lines.
"""),
    code("""
fig, ax = plt.subplots(figsize=(6.5, 3.2), layout="constrained")
for k, B in enumerate((1, 4, 16)):
    h = train(problem, sgd(0.05), 2000, batch_size=B, seed=0, eval_every=1, record_params=False)
    gap = np.convolve(h.eval_loss - problem.f_star, np.ones(50) / 50, mode="valid")
    plots.loss_curve(gap, ax, color=plots.COLORS[k], label=f"B = {B} (moving average of 50)")
    ax.axhline(widgets.noise_floor(problem, 0.05, B), color=plots.COLORS[k], ls="--", lw=1)
ax.set_xlabel("step $t$")
ax.set_ylabel("loss gap $f(\\\\theta_t) - f^\\\\star$")
ax.set_title("lr = 0.05: each 4x larger batch lowers the floor about 4x", fontsize=10)
ax.legend(fontsize=8)
plt.show()
"""),
    md("""
## 3. Learning rate and batch size trade off

Since the floor depends on $\\eta / B$ (for small $\\eta$), doubling the batch size and doubling
the learning rate leaves it roughly unchanged (the cell below: within 25%; it creeps up as
$\\eta$ grows because the small-$\\eta$ approximation weakens) — while halving the number of steps needed,
because each step goes twice as far. This is the **linear scaling rule** that Goyal et al.
(2017) used to train ImageNet models with batches of 8,192: scale the learning rate with the
batch size (and warm it up, see notebook 04). It holds only while $\\eta$ stays well below the
stability limit.
"""),
    code("""
for lr, B in ((0.1, 4), (0.2, 8), (0.4, 16)):
    print(f"lr = {lr:.1f}, B = {B:2d}: predicted floor {widgets.noise_floor(problem, lr, B):.4f}")
floors = [widgets.noise_floor(problem, lr, B) for lr, B in ((0.1, 4), (0.2, 8), (0.4, 16))]
assert max(floors) / min(floors) < 1.3
""" + "\n" + CHECK),
    md("""
### Small batches tolerate only smaller learning rates

The stability limit of notebook 01, $\\eta < 2/L$, is for the *full* gradient. With batch size
1 each step follows one sample's loss, whose curvature $\\|x_i\\|^2$ can be several times $L$.
A rate that is safe in full batch can then blow up — one more reason why the best learning
rate depends on the batch size.
"""),
    code("""
X = np.column_stack([problem.data.X[:, 0], np.ones(problem.n_samples)])
per_sample_L = (X ** 2).sum(axis=1).max()
print(f"L (full batch) = {problem.smoothness:.2f}; "
      f"largest per-sample curvature = {per_sample_L:.2f}")
lr = 0.8   # below 2/L = 1.39, above 2/per_sample_L = 0.40
for B in (1, 8, 64):
    h = train(problem, sgd(lr), 2000, batch_size=B, seed=0)
    print(f"lr = {lr}, B = {B:2d}: {h.status()}")
assert train(problem, sgd(lr), 2000, batch_size=1, seed=0).diverged
assert not train(problem, sgd(lr), 2000, batch_size=64, seed=0).diverged
""" + "\n" + CHECK),
    md("""
### Check yourself
"""),
    code("""
widgets.quiz(
    "SGD with a constant learning rate has settled on a noise floor. You quadruple the batch "
    "size and keep the learning rate. The floor becomes about…",
    answer="4x lower", options=["4x higher", "2x higher", "2x lower", "4x lower"],
    explanation="The floor is about eta·tr(Sigma)/(4B): proportional to 1/B.")
"""),
    md("""
## Takeaways

* A minibatch gradient is the full gradient plus zero-mean noise whose variance falls like $1/B$.
* With a constant learning rate SGD does not converge: it reaches a floor about $\\eta\\,\\mathrm{tr}(\\Sigma)/(4B)$ above the minimum. A higher rate gets there faster but hovers higher.
* Learning rate and batch size trade off through $\\eta / B$ (the linear scaling rule), within the stability limit — which is lower for small batches.
* To get *below* the floor, the learning rate must decrease: that is notebook 04.

## References

* H. Robbins and S. Monro (1951). *A stochastic approximation method.* Annals of Mathematical Statistics 22(3).
* L. Bottou, F. E. Curtis and J. Nocedal (2018). *Optimization methods for large-scale machine learning.* SIAM Review 60(2), §4 (Thm. 4.6: fixed step sizes converge to a neighbourhood of the optimum).
* S. Mandt, M. D. Hoffman and D. M. Blei (2017). *Stochastic gradient descent as approximate Bayesian inference.* JMLR 18. The stationary distribution of constant-rate SGD via the Lyapunov equation.
* P. Goyal et al. (2017). *Accurate, large minibatch SGD: training ImageNet in 1 hour.* arXiv:1706.02677. The linear scaling rule and warm-up.
* S. L. Smith, P.-J. Kindermans, C. Ying and Q. V. Le (2018). *Don't decay the learning rate, increase the batch size.* ICLR.
"""),
]

# =============================================================================== 04
NB04 = [
    md("""
# 04 · Constant or changing? Annealing, schedules, warm-up and plateaus

Notebook 03 left us on a noise floor: a constant learning rate gets close quickly, then
hovers. To get closer, the rate must come down. This notebook asks *how* it should come down,
and answers with the classical theory (Robbins–Monro), the practitioners' recipes (divide by
10 when progress stalls, cosine, warm-up) and a race between them.

## Learning objectives

1. State the Robbins–Monro conditions $\\sum_t \\eta_t = \\infty$, $\\sum_t \\eta_t^2 < \\infty$ and say which schedules meet them.
2. Read, write and compare the common schedules: step decay, exponential, $1/t$, $a/\\sqrt t$, cosine, warm-up, reduce-on-plateau — each with its formula.
3. Apply the recipe "start at the highest stable rate, divide by 10 when progress stalls, stop early", and explain why it works.
"""),
    SETUP,
    code("""
from lrlab import EarlyStopping
from lrlab import schedules as S
from lrlab.rules import reduce_on_plateau

problem = widgets.default_data_problem()
L = problem.smoothness
""" + "\n"),
    md("""
## 1. Why decay: the Robbins–Monro conditions

Robbins and Monro (1951) showed that stochastic approximation converges when the step sizes
satisfy

$$\\sum_{t=0}^\\infty \\eta_t = \\infty \\qquad\\text{and}\\qquad \\sum_{t=0}^\\infty \\eta_t^2 < \\infty.$$

The first condition lets the iterates travel any distance (the steps never become negligible
too early); the second makes the accumulated noise finite, so the noise floor shrinks to
zero. A constant rate violates the second (hence the floor); an exponential decay violates the
first (it freezes before arriving); $\\eta_t = \\eta_0 / (1 + t/s)$ — the $1/t$ schedule —
satisfies both. The seed thread's $\\alpha/\\sqrt{t}$ satisfies the first but not quite the second
(its squares sum like $\\log t$); it is the rate of choice for non-smooth convex problems,
especially with averaging of the iterates (Polyak & Juditsky 1992; Nemirovski et al. 2009).
"""),
    code("""
T = 10**6
t = np.arange(T)
candidates = {
    "constant 0.1": np.full(T, 0.1),
    "exponential 0.1*0.999^t": 0.1 * 0.999 ** t,
    "1/t: 0.1/(1+t)": 0.1 / (1 + t),
    "1/sqrt t: 0.1/sqrt(1+t)": 0.1 / np.sqrt(1 + t),
}
print(f"{'schedule':26s} {'sum eta':>10s} {'sum eta^2':>10s}   (first 10^6 steps)")
for name, eta in candidates.items():
    print(f"{name:26s} {eta.sum():10.3g} {np.sum(eta ** 2):10.3g}")
assert candidates["exponential 0.1*0.999^t"].sum() < 101          # bounded: stalls
assert np.sum(candidates["1/t: 0.1/(1+t)"] ** 2) < 0.017          # bounded: noise dies out
""" + "\n" + CHECK),
    md("""
## 2. The schedules, each with its formula

Each schedule in lrlab is a pure function of the step $t$ (calling it changes nothing), with its
closed form attached; where PyTorch has the same schedule the values match
`torch.optim.lr_scheduler`. Here are the families this notebook uses, rendered from the objects:
"""),
    code("""
S.step(0.3, step_size=200, gamma=0.1)
"""),
    code("""
S.exponential(0.3, gamma=0.99)
"""),
    code("""
S.inverse_time(0.3, decay_rate=1.0, decay_steps=20)
"""),
    code("""
S.inverse_sqrt(0.3, decay_steps=20)
"""),
    code("""
S.cosine(0.3, total_steps=600)
"""),
    code("""
S.warmup(S.cosine(0.3, total_steps=550), steps=50)
"""),
    md("""
* **Step decay** (divide by 10 every few epochs) is the classic recipe of the CS231n notes and of most ImageNet papers up to 2017.
* **Linear** and **exponential** decay are the two smooth shapes the seed thread names: linear falls by the same amount every step and reaches its floor at a fixed horizon (`S.linear(0.3, 1.0, 0.01, T)`, or `S.polynomial` with power 1); exponential falls by the same *factor* every step and never reaches zero.
* **Cosine** annealing (Loshchilov & Hutter, 2017) decays smoothly to zero at a known horizon and needs no decay points; with restarts it becomes SGDR.
* **Warm-up** (Goyal et al., 2017) ramps the rate up over the first steps: at the start the parameters are far from any minimum, the curvature can be higher and (for adaptive rules) the statistics are poor, so the full rate may be unstable there.
* **$1/t$** and **$1/\\sqrt t$** are the schedules of the convergence theorems.
* **Reduce on plateau** is not a function of $t$ alone: it watches the loss. It is a rule (PyTorch's `ReduceLROnPlateau` semantics):
"""),
    code("""
reduce_on_plateau(0.3, factor=0.1, patience=50)
"""),
    md("""
### Rates that go up again: linear, cyclic, one-cycle, restarts

Not every schedule decays monotonically. **Cyclical learning rates** (Smith, 2017) sweep
between a low and a high rate in triangles, on the argument that brief visits to high rates
help escape poor regions while the low phases make progress. **One-cycle** (Smith & Topin,
2019) is a single such cycle over the whole run: warm up to a peak, then anneal far below the
start — the schedule behind "super-convergence". **Warm restarts** (SGDR, Loshchilov & Hutter,
2017) repeat a cosine decay, each period longer than the last. The **linear** schedule is
PyTorch's `LinearLR`, most often used as a warm-up ramp. Each line below is the object that
runs, and its closed form:
"""),
    code("""
S.linear(0.3, start_factor=0.1, end_factor=1.0, total_steps=100)
"""),
    code("""
S.cyclic(0.003, 0.3, step_size_up=100, mode="triangular2")
"""),
    code("""
S.one_cycle(0.3, total_steps=600)
"""),
    code("""
S.cosine_restarts(0.3, period=100, mult=2)
"""),
    code("""
t = np.arange(600)
shapes = {
    "linear warm-up": S.linear(0.3, start_factor=0.1, end_factor=1.0, total_steps=100),
    "cyclic (triangular2)": S.cyclic(0.003, 0.3, step_size_up=100, mode="triangular2"),
    "one-cycle": S.one_cycle(0.3, total_steps=600),
    "cosine restarts (x2)": S.cosine_restarts(0.3, period=100, mult=2),
}
fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
for name, schedule in shapes.items():
    ax.plot(t, schedule(t), label=name)
ax.set_yscale("log")
ax.set_xlabel("step $t$")
ax.set_ylabel("learning rate $\\eta_t$")
ax.legend(fontsize=8, ncol=2)
plt.show()

one = shapes["one-cycle"](t)
print(f"one-cycle: starts at {one[0]:.3g} (= 0.3/25), peaks at step {one.argmax()}, "
      f"ends at {one[-1]:.2g} (= start/1e4)")
restarts = shapes["cosine restarts (x2)"](t)
print("cosine restarts jump back to 0.3 at steps", [int(i) for i in np.flatnonzero(
    np.diff(restarts) > 0) + 1])
assert one.argmax() == 179 and np.isclose(one[0], 0.3 / 25) and np.isclose(one[-1], 0.3 / 25e4)
assert list(np.flatnonzero(np.diff(restarts) > 0) + 1) == [100, 300]
""" + "\n" + CHECK),
    md("""
## 3. The race

All contestants run plain SGD with batch size 4 on the same problem, from the same start, with
the **same sequence of minibatches**, and the same peak learning rate. Left: $\\eta_t$. Right: the
full-data loss gap (a moving average, since it is noisy).

**Predict, then look.** Rank *constant*, *step ÷10* and *cosine* by their final loss. Then add
`plateau ÷10`, `cosine restarts` or `cyclic` and vary the base learning rate: which schedule is
the most sensitive to it?
"""),
    code("""
race = widgets.schedule_race(problem, schedules=["constant", "step ÷10", "cosine", "1/t",
                                                 "one-cycle"],
                             lr=0.5 / L, num_steps=600, batch_size=4, decay_every=200)
race
"""),
    code("""
for name in race.labels:
    print(f"{name:10s} final loss gap {race.final[name]:.2g}")
assert race.final["step ÷10"] < race.final["constant"] / 10
assert race.final["cosine"] < race.final["constant"] / 10
assert race.final["one-cycle"] < race.final["constant"] / 10
""" + "\n" + CHECK),
    md("""
Every decaying schedule ends far below the constant rate's floor: that is the noise floor of
notebook 03 being removed. Which decay wins depends on the problem, the horizon and the base
rate; the differences between good decays are much smaller than the gap to *no* decay.

**Why "large first, small later" works.** Early in training the iterate is far from any
minimum and the gradient points clearly downhill: the signal is much larger than the
minibatch noise, so a large rate covers ground fast (*exploration*). Near a minimum the
gradient shrinks while the noise does not, and only a small rate can resolve the fine
structure of the loss there (*exploitation*). A schedule is a plan for moving from the first
regime to the second; the common advice "use a rate near the highest stable one, then decay
it, linearly or exponentially" is this plan with the starting point fixed by notebook 02.

The noise explorer shows the same thing on the parameters themselves: the cloud of iterates
collapses when the rate drops.
"""),
    code("""
noise = widgets.noise_explorer(problem, lr=0.2, batch_size=4, decay="step ÷10", num_steps=800)
noise
"""),
    code("""
print(f"constant lr floor {noise.measured_floor:.3g}; step decay ends at {noise.final_gap:.3g}")
assert noise.final_gap < noise.measured_floor / 5
""" + "\n" + CHECK),
    md("""
## 4. The practitioner's recipe: ÷10 when progress stalls, and stop early

A widely used recipe (in the seed thread and in the CS231n notes): train at a large rate
while the loss keeps improving; when it stops improving, divide the rate by 10 and continue;
stop when a smaller rate no longer helps. The large rate finds the right region quickly; the
small rates settle into it. (The thread calls this *simulated annealing*. Strictly, simulated
annealing — Kirkpatrick, Gelatt & Vecchi, 1983 — is a different algorithm, which accepts random
moves with a probability set by a falling "temperature"; what is meant here is annealing the
learning rate. The analogy is apt: a high rate, like a high temperature, explores; a low one
settles.) Here it is with lrlab's `EarlyStopping`, on the *validation* loss of a held-out split:
"""),
    code("""
from lrlab.models import LinearRegression

train_set, val_set = problem.data.split(fraction=0.25, seed=0)
fit, val = LinearRegression(train_set), LinearRegression(val_set)
theta, lr, total, log = fit.x0, 1.0 / fit.smoothness, 0, []
for phase in range(4):
    h = train(fit, sgd(lr), 2000, x0=theta, batch_size=4, seed=phase, eval_problem=val,
              eval_every=10, early_stopping=EarlyStopping(patience=10, monitor="eval"))
    theta = h.params[h.last_step]
    total += h.last_step
    log.append((lr, h.last_step, float(h.eval_loss[np.isfinite(h.eval_loss)][-1])))
    lr /= 10
for lr_, steps, v in log:
    print(f"lr {lr_:.3g}: {steps:4d} steps, validation loss {v:.4f}")
assert log[-1][2] < log[0][2]
""" + "\n" + CHECK),
    md("""
Each phase stops by itself when the validation loss stops improving, and each tenfold cut
lowers the loss further — until the cuts stop helping, which tells you training is done.
`reduce_on_plateau` automates the same idea inside a single run (on the training loss by
default, as the `plateau ÷10` contestant of the race does).

### Check yourself
"""),
    code("""
widgets.quiz(
    "Which schedule satisfies BOTH Robbins–Monro conditions (sum of eta_t infinite, "
    "sum of eta_t² finite)?",
    answer="eta_t = 0.1 / (1 + t)",
    options=["eta_t = 0.1 (constant)", "eta_t = 0.1 · 0.99^t",
             "eta_t = 0.1 / sqrt(1 + t)", "eta_t = 0.1 / (1 + t)"],
    explanation="The harmonic series diverges while the sum of 1/t² converges. Constant: "
                "sum of squares infinite. Exponential: the sum itself is finite. 1/sqrt(t): "
                "its squares sum like log t, which diverges (slowly).")
"""),
    md("""
## Takeaways

* With noisy gradients, a constant rate stalls on a floor; only a decreasing rate converges. Robbins–Monro: $\\sum \\eta_t = \\infty$, $\\sum \\eta_t^2 < \\infty$ (e.g. $1/t$).
* In practice: start near the highest stable rate, then decay — by 10x at milestones or when the (validation) loss plateaus, or smoothly with cosine; warm up first when the start is unstable.
* The choice among good decays matters less than decaying at all, and less than the base rate.
* Early stopping on a validation set tells you when a phase (or the whole run) is done.

## References

* H. Robbins and S. Monro (1951). *A stochastic approximation method.* Annals of Mathematical Statistics 22(3).
* B. T. Polyak and A. B. Juditsky (1992). *Acceleration of stochastic approximation by averaging.* SIAM J. Control and Optimization 30(4).
* A. Nemirovski, A. Juditsky, G. Lan and A. Shapiro (2009). *Robust stochastic approximation approach to stochastic programming.* SIAM J. Optimization 19(4). Step sizes $\\propto 1/\\sqrt t$ with averaging.
* L. Bottou, F. E. Curtis and J. Nocedal (2018). *Optimization methods for large-scale machine learning.* SIAM Review 60(2), §4.
* I. Loshchilov and F. Hutter (2017). *SGDR: Stochastic gradient descent with warm restarts.* ICLR. Cosine annealing.
* P. Goyal et al. (2017). *Accurate, large minibatch SGD: training ImageNet in 1 hour.* arXiv:1706.02677. Gradual warm-up.
* L. N. Smith (2017). *Cyclical learning rates for training neural networks.* WACV. (See also notebook 06.)
* A. Karpathy et al. *CS231n* course notes, "Annealing the learning rate": step decay, exponential decay, 1/t decay.
* A. Ng. *CS294A Lecture notes: Sparse autoencoder* (2011).
* L. Prechelt (1998). *Early stopping — but when?* In *Neural Networks: Tricks of the Trade*, Springer.
* S. Kirkpatrick, C. D. Gelatt and M. P. Vecchi (1983). *Optimization by simulated annealing.* Science 220(4598). The algorithm the word "annealing" comes from.
* PyTorch documentation, `torch.optim.lr_scheduler` (StepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau, LinearLR, SequentialLR).
"""),
]

NOTEBOOKS_PART1 = {
    "00_start_here": NB00,
    "01_step_size_on_a_bowl": NB01,
    "02_divergence_and_nan": NB02,
    "03_stochastic_gradients": NB03,
    "04_annealing_and_schedules": NB04,
}


def main(argv=None) -> int:
    return build(NOTEBOOKS_PART1, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
