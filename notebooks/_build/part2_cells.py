# ruff: noqa: E501 - the cells' Markdown (tables, long sentences) is not Python code
"""The cells of notebooks 05-09 (used by ``build_part2.py``).

Each ``NBxx`` is a list of nbformat cells. Importing this module only builds
those lists (no computation).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CHECK, code, md

SETUP = code("""
import matplotlib.pyplot as plt
import numpy as np

import lrlab
from lrlab import plots, plots_more, sgd, train, widgets

np.set_printoptions(precision=4, suppress=True)
""")

# =============================================================================== 05
NB05 = [
    md(r"""
# 05 · Adaptive rates: one learning rate per coordinate

The learner's first question was whether the learning rate is related to the *shape* of
the error surface. For plain SGD it is not: one global $\eta$ multiplies every coordinate
of the gradient. This notebook is about the family of rules that *do* use the shape,
coordinate by coordinate, from the history of the gradients.

## Learning objectives

After this notebook you will be able to

1. explain why one global rate is a compromise on an ill-conditioned problem, and what "the right rate per coordinate" would be;
2. read the per-coordinate effective rate of Adagrad, RMSprop, Adadelta, Adam and FTRL, and predict how it evolves (Adagrad's shrinks like $1/\sqrt t$; RMSprop's does not);
3. say when per-coordinate rates help (axis-aligned curvature, rare features) and when they do not (a tilted valley);
4. explain Adam's bias correction, where $\epsilon$ sits in each rule and what it changes, and why "Adadelta needs no learning rate" is not the whole story;
5. use the $\sigma_\theta/\sigma_g$ parabola rule and a learning-rate-free method, and say what they still assume.
"""),
    SETUP,
    md(r"""
## Why one rate is a compromise

On a quadratic valley $f(\theta) = \tfrac12(\lambda_1\theta_1^2 + \lambda_2\theta_2^2)$, gradient
descent multiplies the error along coordinate $i$ by $1 - \eta\lambda_i$ at every step.
Stability needs $\eta < 2/\lambda_{\max}$ (notebook 01), and then the flat coordinate
shrinks only by $1 - \eta\lambda_{\min} \approx 1 - 2/\kappa$ per step, with $\kappa =
\lambda_{\max}/\lambda_{\min}$. The *ideal* rate is different for each coordinate:
$\eta_i = 1/\lambda_i$ solves coordinate $i$ in one step. A rule that could estimate
$\lambda_i$ per coordinate would not care about $\kappa$.

Adaptive rules do not know $\lambda_i$, but they see the gradients: on a steep coordinate
the gradients are large, on a flat one small. Dividing each coordinate by the size of its
recent gradients is a cheap proxy for dividing by its curvature.

**Adagrad** (Duchi, Hazan & Singer 2011) divides by the root of the *sum of all* past
squared gradients. The formula below is rendered from the rule that runs (and it matches
`torch.optim.Adagrad`, defaults included):
"""),
    code("""
lrlab.rules.adagrad()
"""),
    md(r"""
Let us measure the effect. Both rules get their best learning rate out of 25 candidates
(one batched run each) on a valley with $\kappa = 50$, first aligned with the axes, then
tilted by 45°. We count the steps to reduce the loss by a factor $10^8$.
"""),
    code(r"""
from lrlab.surfaces import ill_conditioned


def steps_to_solve(problem, make_rule, lrs, num_steps=400):
    # Fewest steps, over the candidate rates, to cut the loss by 1e8 (num_steps if never).
    h = train(problem, make_rule(lrs), num_steps)
    first = h.steps_to(1e-8, f_star=problem.f_star)
    first = np.where(first < 0, num_steps, first)
    return int(first.min()), float(lrs[first.argmin()])

lrs = np.geomspace(0.01, 3, 25)
results = {}
for tilt in (0, 45):
    valley = ill_conditioned(kappa=50, angle=np.deg2rad(tilt))
    for name, make in (("GD", sgd), ("Adagrad", lrlab.rules.adagrad)):
        results[tilt, name] = steps_to_solve(valley, make, lrs)
for (tilt, name), (steps, lr) in results.items():
    print(f"tilt {tilt:2d}°  {name:8s} {steps:4d} steps (best lr {lr:.2g})")
""" + "\n" + CHECK),
    code(r"""
# Claims: aligned with the axes, Adagrad needs a handful of steps where GD needs ~200;
# tilted by 45°, the per-coordinate rates no longer match the curvature and the advantage is gone.
assert results[0, "Adagrad"][0] < 10 < 150 < results[0, "GD"][0]
assert results[45, "Adagrad"][0] >= results[45, "GD"][0]
"""),
    md(r"""
Why does the tilt hurt? The per-coordinate rates act on the *coordinates* $\theta_1,
\theta_2$; when the valley's axes are tilted, each coordinate mixes a steep and a flat
direction, so no choice of two rates can match both curvatures. Adaptive rules are
*diagonal* preconditioners: they help exactly as much as the problem's curvature is
aligned with the coordinates. (In neural networks it partly is: different layers and
different units have very different gradient scales.)

## See it: the rates next to the trajectory

The app shows one rule on the valley. The orange arrow is the *direction* of the step the
rule took at step $t$; the grey arrow is the direction of the plain negative gradient
(both drawn with the same length). The bars are the per-coordinate effective rates at step
$t$, with black ticks at $1/H_{ii}$, the rate that would solve an axis-aligned coordinate in
one step. The right panel shows the rates over the whole run.

> **Predict, then move the slider.** With Adagrad at tilt 0°, the two bars differ by a factor
> close to $\kappa = 20$. What happens to that ratio when you move *tilt* to 45°? Write your
> guess down, then move the slider. Then switch the rule to GD: what do the arrows do?
"""),
    code(r"""
from lrlab.apps.adaptive import AdaptiveRates

app = AdaptiveRates("Adagrad", kappa=20, tilt=0, step=3)
app
"""),
    code(r"""
# At tilt 0 Adagrad's two rates differ by about kappa; at 45° they are almost equal.
ratio0 = app.rates[3, 0] / app.rates[3, 1]
app.tilt.value = 45
ratio45 = app.rates[3, 0] / app.rates[3, 1]
app.tilt.value = 0
print(f"rate ratio at tilt 0: {ratio0:.1f}, at tilt 45: {ratio45:.2f}")
assert 10 < ratio0 < 30 and 0.5 < ratio45 < 2
""" + "\n" + CHECK),
    md(r"""
At tilt 0 the ratio is close to $\kappa$ because Adagrad's first step divides each
coordinate by $|g_i|$ and $g_i = \lambda_i\theta_i$: from a start with equal coordinates,
$\eta/|g_i| \propto 1/\lambda_i$, the ideal rate (up to the global $\eta$).

## Adagrad's rate only shrinks

Adagrad's denominator $\sqrt{G_t}$ sums *all* past squared gradients. When the gradients
do not vanish — with noisy minibatch gradients they never do — $G_t$ grows linearly in $t$
and the rate falls like $1/\sqrt t$. That is the schedule online convex optimisation needs,
and it is also the seed question's "time" rate $\alpha/\sqrt t$, here found automatically. In
long non-convex training it can stall learning too early.

**RMSprop** (Tieleman & Hinton 2012, a lecture slide rather than a paper) replaces the sum
by an exponential moving average, so the rate tracks the *recent* gradient size instead of
shrinking forever:
"""),
    code("""
lrlab.rules.rmsprop()
"""),
    code(r"""
from lrlab.rules import adagrad, effective_lr, rmsprop
from lrlab.surfaces import parabola

noisy = parabola(curvature=1.0, noise=1.0)   # gradient noise of std 1 at every step
T = 1000
t = np.arange(1, T + 1)
fig, ax = plt.subplots(layout="constrained", figsize=(6.5, 3.4))
slopes = {}
for rule in (adagrad(0.5), rmsprop(0.05)):
    h = train(noisy, rule, T, record_state=True)
    rate = np.array([effective_lr(rule, s)[0] for s in h.states[1:]])
    slopes[rule.name] = np.polyfit(np.log(t[100:]), np.log(rate[100:]), 1)[0]
    ax.loglog(t, rate, label=f"{rule.name}: slope {slopes[rule.name]:.2f}")
ax.loglog(t, 0.5 / np.sqrt(t), "k:", label=r"$0.5/\sqrt{t}$")
ax.set_xlabel("step $t$")
ax.set_ylabel("effective rate")
ax.legend()
ax.set_title("noisy parabola: Adagrad's rate falls like 1/√t, RMSprop's does not", fontsize=10)
plt.show()
print({k: round(float(v), 2) for k, v in slopes.items()})
""" + "\n" + CHECK),
    code("""
assert abs(slopes["Adagrad"] + 0.5) < 0.05 and abs(slopes["RMSprop"]) < 0.05
"""),
    md(r"""
## Adadelta: "no learning rate" — and why people use one anyway

**Adadelta** (Zeiler 2012) keeps RMSprop's average of squared gradients and adds a second
average, of squared *updates*. Its step is
$\Delta_t = \frac{\mathrm{RMS}[\Delta]_{t-1}}{\mathrm{RMS}[g]_t}\, g_t$. Zeiler's argument
is about units: a gradient has units of loss/parameter, a Newton step $H^{-1}g$ has units of
parameter, and the ratio RMS[update]/RMS[gradient] has the units of $1/H$. So the step has
the right units with no learning rate at all. PyTorch keeps a multiplier `lr` (default 1.0,
which is Zeiler's rule):
"""),
    code("""
lrlab.rules.adadelta()
"""),
    md(r"""
The catch is the start: both averages begin at zero, so the first update is
$\sqrt{\epsilon}/\sqrt{(1-\rho)g^2 + \epsilon}\; g \approx \sqrt{\epsilon/(1-\rho)} \approx 3\cdot 10^{-3}$
per coordinate (with $\epsilon = 10^{-6}$, $\rho = 0.9$), whatever the problem. The rule must
then "discover" the scale of the parameters by letting the update average grow, which takes
long when the weights live on a scale much larger than $10^{-3}$. This is why a commenter in
the seed thread reports that Adadelta is, in practice, run with a learning rate after all,
because on some problems it fails to make progress without one. We train a small network (an
MLP with 16 tanh units on two moons) for 200 full-batch steps with Adadelta at several
multipliers:
"""),
    code(r"""
from lrlab.apps.finder_replay import default_mlp  # 2-16-2 tanh MLP on 300 two-moons points

net = default_mlp()
multipliers = np.array([0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0])
h = train(net, lrlab.rules.adadelta(multipliers), 200)
final = h.loss[-1]
for m, f in zip(multipliers, final, strict=True):
    note = "   <- Zeiler's rule" if m == 1 else ""
    print(f"Adadelta lr = {m:6g}: loss after 200 steps {f:.3f}{note}")
best = multipliers[np.argmin(final)]
""" + "\n" + CHECK),
    code(r"""
# Claim: the best multiplier is far from 1, and it beats Zeiler's lr-free rule clearly.
assert best >= 10 and final.min() < 0.5 * final[multipliers == 1.0][0]
"""),
    md(r"""
So "no learning rate" moved the choice into $\epsilon$ and the initial scale. The multiplier
is still a learning rate to tune — just one whose good values are less sensitive to the
gradient's scale than plain SGD's.

## Adam and its bias correction

**Adam** (Kingma & Ba 2015) combines momentum (a moving average $m_t$ of gradients) with
RMSprop's denominator $\sqrt{v_t}$. Both averages start at zero, so early on they are biased
towards zero: after one step $m_1 = (1-\beta_1) g$ and $v_1 = (1-\beta_2) g^2$. Adam divides
them by $c_1 = 1 - \beta_1^{t}$ and $c_2 = 1 - \beta_2^{t}$ (the *bias correction*), which makes
them unbiased averages of whatever the gradients were:
"""),
    code("""
lrlab.rules.adam()
"""),
    md(r"""
With a constant gradient $g$, the corrected step is exactly $\eta\,\mathrm{sign}(g)$ from
the first step on. Without the correction the step would be
$\eta\,\frac{1-\beta_1^t}{\sqrt{1-\beta_2^t}}$: with the defaults $\beta_1 = 0.9$, $\beta_2 =
0.999$ that is $0.1/\sqrt{0.001} \approx 3.2\,\eta$ at the first step — the first steps would
be three times larger than the rate you chose, exactly when the model is most fragile.
"""),
    code(r"""
rule = lrlab.rules.adam(lr=0.01)
theta = np.zeros(1)
state = rule.init(theta)
corrected = []
for k in range(50):
    step, state = rule.update(np.array([2.0]), state, theta, t=k)
    corrected.append(-step[0])
k = np.arange(1, 51)
uncorrected = 0.01 * (1 - 0.9**k) / np.sqrt(1 - 0.999**k)   # same averages, no division by c1, c2
fig, ax = plt.subplots(layout="constrained", figsize=(6.5, 3.2))
ax.plot(k, corrected, label="Adam (bias-corrected): the step lrlab runs")
ax.plot(k, uncorrected, label="without bias correction")
ax.axhline(0.01, color="k", ls=":", lw=1)
ax.set_xlabel("step")
ax.set_ylabel("step length")
ax.legend()
plt.show()
print(f"first step: corrected {corrected[0]:.4f}, uncorrected {uncorrected[0]:.4f}")
""" + "\n" + CHECK),
    code("""
assert np.allclose(corrected, 0.01) and 3.0 < uncorrected[0] / 0.01 < 3.3
"""),
    md(r"""
## Where $\epsilon$ sits, and what it changes

Every rule of this family divides by something that can be zero, so each adds an $\epsilon$.
*Where* it goes differs, and the libraries differ too:

| rule | denominator | consequence for a coordinate with tiny gradients |
|---|---|---|
| Adagrad (torch) | $\sqrt{G_t} + \epsilon$, $\epsilon = 10^{-10}$ | rate up to $\eta/\epsilon$: huge |
| RMSprop, Adam (torch) | $\sqrt{v_t} + \epsilon$, $\epsilon = 10^{-8}$ | rate up to $\eta/\epsilon$ |
| Adadelta | $\sqrt{v_t + \epsilon}$, $\epsilon = 10^{-6}$ (inside the root, both averages) | rate up to $\eta\sqrt{u}/\sqrt{\epsilon}$ |
| Keras / TF Adam | $\sqrt{v_t} + \hat\epsilon$ on the *uncorrected* $v_t$ (the bias correction is folded into the step size), $\hat\epsilon = 10^{-7}$ | Kingma & Ba's "$\hat\epsilon$" form: in torch's form this is $\epsilon = \hat\epsilon/\sqrt{1-\beta_2^t}$, about 30 times larger at the first step, and a 10 times larger default |

$\epsilon$ is not just numerical safety: when $\epsilon$ is comparable to $\sqrt{v}$, the rule
stops adapting. With $\epsilon \gg \sqrt v$, Adam's step becomes $\eta\, m_t/\epsilon$: momentum
SGD with learning rate $\eta/\epsilon$. Watch the two rates of Adam on the axis-aligned valley
become equal as $\epsilon$ grows:
"""),
    code(r"""
valley = ill_conditioned(kappa=20, angle=0.0)
eps_values = [1e-8, 1e-3, 1e-2, 1e-1, 1.0, 10.0]
ratios = []
for eps in eps_values:
    rule = lrlab.rules.adam(lr=0.05, eps=eps)
    h = train(valley, rule, 10, record_state=True)
    r = effective_lr(rule, h.states[-1])
    ratios.append(r[0] / r[1])
    print(f"eps = {eps:6g}: rate ratio flat/steep = {ratios[-1]:.2f}")
""" + "\n" + CHECK),
    code("""
from itertools import pairwise

assert all(a > b for a, b in pairwise(ratios)) and ratios[0] > 10 and ratios[-1] < 1.5
"""),
    md(r"""
## Where per-coordinate rates shine: rare features

The other case where adaptive rates win is *sparse* data: a feature that appears in 1% of
the samples gets a gradient on 1% of the steps. With one global rate its weight barely
moves; Adagrad gives it a large rate (its $G_t$ stays small) and learns it. This is what
Adagrad was designed for, and what **FTRL-Proximal** (McMahan et al. 2013) was built on for
click prediction at Google. We train a logistic regression on 1,000 samples with 60 binary
features whose frequency falls from 10% to 0.1% (rarer features carry more signal), with
minibatches of 10, and give each rule its best rate out of 13:
"""),
    code(r"""
from lrlab.datasets import sparse_features
from lrlab.models import LogisticRegression
from lrlab.rules import ftrl

clicks = LogisticRegression(sparse_features(1000, dim=60, density=0.05), l2=1e-4)
lrs = np.geomspace(1e-2, 30, 13)
best = {}
for name, make in (("SGD", sgd), ("Adagrad", adagrad), ("FTRL", ftrl)):
    h = train(clicks, make(lrs), 400, batch_size=10, eval_every=400)
    excess = h.eval_loss[-1] - clicks.f_star
    best[name] = (float(np.nanmin(excess)), float(lrs[np.nanargmin(excess)]))
    print(f"{name:8s} best excess loss {best[name][0]:.4f} at lr {best[name][1]:.3g}")
""" + "\n" + CHECK),
    code(r"""
assert best["Adagrad"][0] < 0.5 * best["SGD"][0] and best["FTRL"][0] < best["SGD"][0]
"""),
    md(r"""
Which features got which rate? Adagrad's final per-coordinate rate against how often each
feature is present:
"""),
    code(r"""
rule = adagrad(best["Adagrad"][1])
h = train(clicks, rule, 400, batch_size=10, record_state=True)
rate = effective_lr(rule, h.states[-1])[:-1]            # last coordinate: the intercept
freq = clicks.data.X.mean(axis=0)
fig, ax = plt.subplots(layout="constrained", figsize=(6.5, 3.4))
ax.loglog(freq, rate, "o", ms=4)
ax.set_xlabel("feature frequency (fraction of samples)")
ax.set_ylabel("Adagrad's rate")
ax.set_title("rare features keep large rates", fontsize=10)
plt.show()
rare, common = freq < np.quantile(freq, 0.2), freq > np.quantile(freq, 0.8)
print(f"median rate: rarest 20% {np.median(rate[rare]):.3g}, "
      f"commonest 20% {np.median(rate[common]):.3g}")
assert np.median(rate[rare]) > 3 * np.median(rate[common])
""" + "\n" + CHECK),
    md(r"""
### FTRL and the seed's "time × gradient" rates

FTRL-Proximal's per-coordinate rate is $\eta_{t,i} = \alpha/(\beta + \sqrt{n_{t,i}})$ with
$n_{t,i} = \sum_s g_{s,i}^2$ — Adagrad's rate with $\epsilon = \beta$ — but the update is written
as the minimiser of all past linearised losses plus proximal terms, which lets an L1 penalty
set weights *exactly* to zero. One answer in the seed thread lists three families of step
size: one from *time* ($\alpha/\sqrt t$, shared by all coordinates), one from the *gradient*
history (FTRL's per-coordinate rate) and their combination, as a sum or a product.
`ftrl_time` is that combination (see its docstring for how the seed's formula is read):
"""),
    code(r"""
from lrlab.rules import ftrl_time

display(ftrl(0.5), ftrl_time(0.5, gamma=0.1, form="sum"), ftrl_time(0.5, gamma=0.1, form="product"))
"""),
    code(r"""
# L1 in FTRL gives exact zeros: a sparse model (why it is used for huge feature sets),
# at a price in loss when the penalty is strong.
zeros = []
for l1 in (0.0, 0.3, 1.0, 3.0):
    h = train(clicks, ftrl(best["FTRL"][1], l1=l1), 400, batch_size=10)
    w = h.params[-1][:-1]
    zeros.append(int(np.sum(w == 0)))
    print(f"l1 = {l1:4}: {zeros[-1]:2d} of {w.size} weights exactly zero, "
          f"loss {float(clicks.loss(h.params[-1])):.3f}")
assert zeros[0] == 0 and zeros == sorted(zeros) and zeros[-1] > w.size / 2
""" + "\n" + CHECK),
    md(r"""
## The $\sigma_\theta/\sigma_g$ rule: curvature from first-order statistics

Another answer in the seed thread proposes a second-order rate with only first-order
information (Duda 2019). On a parabola $f = \tfrac c2(\theta-p)^2$ the gradient is a line in
$\theta$: $g = c(\theta - p)$. Any cloud of recent points $(\theta_s, g_s)$ lies on that line,
so the ratio of their standard deviations is $1/|c|$, and the step $-g/c$ lands on $p$ —
Newton's step. The rule keeps four exponential moving averages per coordinate
($\bar\theta, \bar g, \overline{\theta^2}, \overline{g^2}$):
"""),
    code(r"""
from lrlab.rules import parabola as parabola_rule
from lrlab.surfaces import Quadratic

rule = parabola_rule(warmup=1, warmup_lr=0.01)
display(rule)
h = train(Quadratic([[4.0]], x0=[1.0]), rule, 3)
print("rates used:", h.lr, " iterate after step 2:", h.params[2, 0])
assert h.lr[1] == 0.25 and abs(h.params[2, 0]) < 1e-12    # 1/c, and exactly on the minimum
""" + "\n" + CHECK),
    md(r"""
On the axis-aligned valley the rule estimates both curvatures (up to its clip at
`lr_max = 10`); on a tilted valley it estimates a *diagonal* curvature, with the same
limitation as Adagrad. Try it in the app above: choose "Online parabola" (its learning-rate
slider is disabled: it has none) and move the tilt.

## A learning-rate-free method

**DoG** ("distance over gradients", Ivgi, Hinder & Carmon 2023) sets a single global rate
$\eta_t = \bar r_t/\sqrt{\sum_{s\le t}\|g_s\|^2}$, where $\bar r_t$ is the largest distance
travelled from the start so far. It starts with a tiny movement $r_\epsilon$ and lets the
rate grow as long as the iterates keep moving. No sweep, but not nothing to choose: the
first movement $r_\epsilon$ must be small, and the method's guarantees are for convex problems.
"""),
    code(r"""
from lrlab.rules import dog

display(dog())
lrs = np.geomspace(0.01, 10, 13)
h_sgd = train(net, sgd(lrs), 300)
h_dog = {r: train(net, dog(reps_rel=r), 300) for r in (1e-6, 1e-2)}
pairs = zip(lrs[::3], h_sgd.loss[-1][::3], strict=True)
print("SGD after 300 steps:", "  ".join(f"lr {a:.2g}: {b:.3f}" for a, b in pairs))
for r, h in h_dog.items():
    print(f"DoG, r_eps = {r:g}·(1+|θ0|): loss {h.loss[-1]:.3f}; "
          f"its rate went from {h.lr[0]:.1e} to {h.lr[-1]:.2f}")
rank = {r: int(np.sum(h_sgd.loss[-1] < h.loss[-1])) for r, h in h_dog.items()}
print("SGD rates (of 13) that beat DoG:", rank)
assert h_dog[1e-6].lr[-1] / h_dog[1e-6].lr[0] > 1e4      # DoG found the scale by itself
# mid-pack; a larger first move helps here
assert rank[1e-6] <= 8 and rank[1e-2] < rank[1e-6]
""" + "\n" + CHECK),
    md(r"""
DoG grew its rate by about five orders of magnitude on its own, with no sweep. It is not
free: with the default tiny first movement it spends many of its 300 steps growing, and ends
mid-pack (8 of the 13 SGD rates beat it); with a larger first movement ($10^{-2}$) only 4 do.
A tuned SGD with a large rate still wins in 300 steps. Learning-rate-free methods move the problem
rather than remove it (a first movement $r_\epsilon$, a memory $\beta$ for the parabola
rule, an $\epsilon$ for Adadelta), but the quantities they ask for are often easier to set
than $\eta$.

### Check yourself
"""),
    code(r"""
widgets.quiz(
    "Adagrad with lr = 0.1 and eps = 0 sees the gradients 4 and then 3 on one coordinate. "
    "What is that coordinate's effective rate at the second step?",
    answer=0.02,
    explanation="G = 4² + 3² = 25, so the rate is 0.1 / sqrt(25) = 0.02: Adagrad divides by "
                "the root of the SUM of squares, not by the last gradient "
                "(which would give 0.033).")
"""),
    code(r"""
widgets.quiz(
    "On which problem do per-coordinate rates help LEAST?",
    answer="a narrow valley tilted by 45°",
    options=["a narrow valley aligned with the axes", "a narrow valley tilted by 45°",
             "a logistic regression with rare binary features"],
    explanation="A diagonal preconditioner can only rescale coordinates; "
                "a tilted valley mixes "
                "the steep and flat directions in every coordinate.")
"""),
    md(r"""
## Takeaways

* An adaptive rule divides each coordinate by the size of its recent gradients: a cheap, *diagonal* curvature estimate. It helps when curvature is aligned with the coordinates and with rare features; it does nothing for a tilted valley.
* Adagrad's rate shrinks like $1/\sqrt t$ (the "time" schedule, built in); RMSprop and Adam use moving averages so the rate can recover.
* Adam's bias correction keeps the first steps at the rate you chose. $\epsilon$ is a hyperparameter: large values turn Adam into momentum SGD with rate $\eta/\epsilon$.
* "No learning rate" (Adadelta, the parabola rule, DoG) moves the choice elsewhere ($\epsilon$, a memory, a first movement). Adadelta in practice is used with a multiplier.
* Every adaptive rule still has a global rate (or scale) to choose: the range test (notebook 06) and search (notebook 09) apply to them too.

## References

* J. Duchi, E. Hazan and Y. Singer (2011). *Adaptive subgradient methods for online learning and stochastic optimization.* JMLR 12. (Adagrad)
* T. Tieleman and G. Hinton (2012). *Lecture 6.5 — RMSprop: divide the gradient by a running average of its recent magnitude.* COURSERA: Neural Networks for Machine Learning.
* M. D. Zeiler (2012). *ADADELTA: an adaptive learning rate method.* arXiv:1212.5701.
* D. P. Kingma and J. Ba (2015). *Adam: a method for stochastic optimization.* ICLR.
* H. B. McMahan et al. (2013). *Ad click prediction: a view from the trenches.* KDD. (FTRL-Proximal)
* J. Duda (2019). *SGD momentum optimizer with step estimation by online parabola model.* arXiv:1907.07063.
* M. Ivgi, O. Hinder and Y. Carmon (2023). *DoG is SGD's best friend: a parameter-free dynamic step size schedule.* ICML.
* The seed thread's answers on Adagrad, Adadelta (and the comment that it is used with a learning rate in practice), FTRL-style time × gradient rates and the $\sigma_\theta/\sigma_g$ rule; this notebook tests each claim.
* S. J. Reddi, S. Kale and S. Kumar (2018). *On the convergence of Adam and beyond.* ICLR. (AMSGrad)
* PyTorch documentation, `torch.optim` (Adagrad, RMSprop, Adadelta, Adam); Keras documentation, `keras.optimizers.Ftrl`.
"""),
]

# =============================================================================== 06
NB06 = [
    md(r"""
# 06 · The learning-rate range test

Several answers in the seed thread point to the same tool: the **learning-rate finder**
popularised by fastai. Train for a short while with a learning rate that grows every step,
from tiny to huge, and watch the loss. Where the loss falls fastest, the rate is "about
right"; where it blows up, the rate is too high. This notebook runs the test on a small
neural network, lets you *walk along* the sweep, compares the ways of reading a number off
the curve, and shows where they mislead.

## Learning objectives

After this notebook you will be able to

1. explain what the range test measures (one run, rising rate) and why its curve has the shape it has;
2. read the four common suggestions (minimum/10, steepest, valley, midpoint) and say how they differ;
3. quantify how much a suggestion moves with the seed, the batch size, the sweep length and the smoothing;
4. compare the test's suggestion with the best rate from a validation grid search, and explain the gap.
"""),
    SETUP,
    md(r"""
## The test in one formula

The sweep is an exponential schedule from $\eta_0$ to $\eta_1$ over $n$ steps,
$\eta_t = \eta_0(\eta_1/\eta_0)^{t/(n-1)}$ (Smith 2017; Howard & Gugger 2020). After each step
the loss is recorded and smoothed with a bias-corrected moving average (fastai's
$\beta = 0.98$); the test stops when the smoothed loss exceeds 4 times its best.

Early in the sweep the rate is so small that nothing happens; then the loss starts to fall;
then the rate crosses the stability limit and the loss shoots up. The useful information is
in the middle. Note what the test is *not*: it is not a comparison of separately trained
models. Each point of the curve is the *same* model, a bit further along its training, at a
higher rate. The model you see at $\eta = 1$ has already been trained by all the smaller
rates before it.

## Walk along the sweep

The app runs the test on a 2-16-2 tanh MLP on two moons (full batch by default) and records
the parameters at every step. The slider moves along the sweep: the black dot marks where
on the curve the run is, and the right panel shows the classifier the run has at that moment.

> **Predict, then move the slider.** Slide to the valley suggestion (≈0.15): is the classifier
> already good there? Then slide to 5: the loss is *lower* there — is that a sign that 5 is a
> better learning rate? Now set the batch size to 4 and step through a few seeds: how far do the
> suggestions move?
"""),
    code(r"""
from lrlab.apps.finder_replay import FinderReplay, default_mlp
from lrlab.finder import lr_range_test, suggestion_band

replay = FinderReplay(lr=0.15)
replay
"""),
    code(r"""
result = replay.result
suggestions = result.suggestions()
for name, lr in suggestions.items():
    print(f"{name:9s} {lr:.3g}")
print("stopped:", result.reason)
""" + "\n" + CHECK),
    md(r"""
The four readings of the curve:

* **minimum/10** (fastai's original advice): the rate at the lowest smoothed loss, divided by 10.
  The minimum sits right before the blow-up; a tenth of it is a rule of thumb for "safely below".
* **steepest**: where the smoothed loss falls fastest (most negative slope against $\log\eta$).
* **valley** (fastai's default since 2021): the middle of the longest descending stretch of the curve.
* **midpoint**: the geometric middle between the start of the descent and the minimum.

They span almost a decade on a clean, full-batch curve. The reason the smoothed loss keeps
falling until about 8 is *not* that 8 is a good rate: the sweep's last steps benefit from all
the training done before them (the curve is a *trajectory*, not a function of $\eta$).

**"Pick the steepest part of the curve."** One answer in the seed thread gives this as the
rule, and another, following Jeremy Howard's fast.ai course, reads off the rate where the
loss falls fastest. Both are the *steepest* suggestion. The steepest point marks where
training made the most progress *per step during the sweep*, which is a reasonable place to
start — but the sections below show that it is the most fragile of the four readings under
minibatch noise, and that it sits well below the rate a validation search prefers.
"""),
    code(r"""
assert result.stop < result.num_steps                        # the test found the blow-up
assert suggestions["steep"] < suggestions["valley"] < suggestions["minimum"]
spread = np.log10(max(suggestions.values()) / min(suggestions.values()))
print(f"the four suggestions span {spread:.2f} decades")
assert spread > 0.5
""" + "\n" + CHECK),
    md(r"""
## The band over seeds: how much is a single test worth?

With minibatches, the curve is noisy and the suggestions move with the seed. `suggestion_band`
repeats the test over seeds and reports each suggestion's median and spread (in decades):
"""),
    code(r"""
net = default_mlp()
bands = {}
for bs in (None, 64, 16):
    bands[bs] = suggestion_band(net, sgd, seeds=range(5), start_lr=1e-3, end_lr=100,
                                num_steps=150, batch_size=bs, progress=False)
    label = "full batch" if bs is None else f"batch {bs}"
    band = bands[bs]
    print(f"{label:10s} " + "  ".join(f"{m} {band.median[m]:.2g} (±{band.spread[m]:.2f} dec)"
                                      for m in ("steep", "valley", "minimum")))
""" + "\n" + CHECK),
    code(r"""
# Full batch: every seed gives the same curve.
# Batch 16: the steep suggestion moves by over a decade.
assert max(bands[None].spread.values()) == 0.0
assert bands[16].spread["steep"] > 1.0
assert bands[16].spread["valley"] < bands[16].spread["steep"]
"""),
    md(r"""
The *steepest-slope* reading is the most fragile: a noisy curve has many steep little
drops. The valley rule, which looks for a long descending stretch, is steadier. Plot the
three curves with their bands:
"""),
    code(r"""
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=True, layout="constrained")
for ax, bs in zip(axes, (None, 64, 16), strict=True):
    band = bands[bs]
    band.results[0].plot(ax=ax, band=band, suggestions=("steep", "valley", "minimum"))
    ax.set_title("full batch" if bs is None else f"batch size {bs}", fontsize=10)
    ax.set_ylim(0.2, 1.6)
plt.show()
"""),
    md(r"""
## Where the suggestions mislead

The test's answer depends on choices that have nothing to do with the model:

* **sweep length**: a longer sweep trains more at each rate, so the descent starts at
  smaller rates;
* **smoothing**: the moving average lags the raw loss by about $\beta/(1-\beta)$ = 49 steps,
  which shifts every feature of the curve to the right;
* **batch size**: a smaller batch makes noisier steps, which blow up at smaller rates
  (the curve's minimum moves left), and a noisy curve has spurious steep drops.
"""),
    code(r"""
rows = []
for n in (50, 150, 500):
    r = lr_range_test(net, sgd, 1e-3, 100, n)
    rows.append((f"{n} steps", r.suggestions()))
for beta in (0.0, 0.9):
    r = lr_range_test(net, sgd, 1e-3, 100, 150, smoothing=beta)
    rows.append((f"smoothing {beta}", r.suggestions()))
print(f"{'setting':15s} {'steep':>8s} {'valley':>8s} {'minimum':>8s}")
for label, s in rows:
    print(f"{label:15s} {s['steep']:8.3g} {s['valley']:8.3g} {s['minimum']:8.3g}")
""" + "\n" + CHECK),
    code(r"""
steep = [s["steep"] for _, s in rows]
assert np.log10(max(steep) / min(steep)) > 1.5   # the steepest point moves by > 1.5 decades
"""),
    md(r"""
## Compare with a grid search on validation data

The honest reference is what the range test tries to shortcut: train the model at each
candidate rate, for the real training length, and score it on held-out data. `grid_search`
does that (all candidates in one batched run; 20% of the data held out). We train for 300
steps with minibatches of 16:
"""),
    code(r"""
from lrlab.search import grid_search

grid = grid_search(net, sgd, np.geomspace(1e-2, 30, 13), num_steps=300, batch_size=16,
                   progress=False)
print(grid.to_text(max_rows=6))
ratio = grid.best_lr / bands[16].median["valley"]
valley = bands[16].median["valley"]
print(f"\ngrid's best lr {grid.best_lr:.3g}; range test (valley, batch 16) {valley:.3g}; "
      f"ratio {ratio:.1f}")
""" + "\n" + CHECK),
    code(r"""
fig, ax = plt.subplots(layout="constrained", figsize=(6.5, 3.6))
grid.plot(ax=ax)
for name, color in (("steep", "C2"), ("valley", "C1"), ("minimum", "C3")):
    ax.axvspan(bands[16].low[name], bands[16].high[name], color=color, alpha=0.15,
               label=f"range test: {name}")
ax.set_ylim(0, 1.0)
ax.legend(fontsize=8)
plt.show()
assert ratio > 3   # the valley suggestion is conservative: the grid prefers a larger rate
"""),
    md(r"""
On this problem the range test is *conservative*: the grid's winner is about ten times
larger than the valley suggestion (the ratio printed above). That is typical: the test suggests a rate that makes
fast progress *from the start*, while a full run can afford (and benefits from) a larger
rate once the model is out of its initial region — often together with a decay (notebook 04).
Use the range test for what it is good at: finding the order of magnitude, and the rate where
training blows up, in one short run. Then refine with a few full runs scored on validation
data (notebook 09).

### Check yourself
"""),
    code(r"""
widgets.quiz(
    "A range test's smoothed loss is lowest at lr = 3. What does that tell you?",
    answer="the blow-up starts a little above 3; a good rate is several times smaller",
    options=["3 is the best learning rate for training",
             "the blow-up starts a little above 3; a good rate is several times smaller",
             "the model cannot be trained above 0.3"],
    explanation="The curve is one run whose rate keeps growing: its minimum marks where the "
                "rate becomes too large for the model *as trained so far*. fastai's rule of "
                "thumb is minimum/10; a validation search refines it.")
"""),
    md(r"""
## Takeaways

* The range test is one short run with an exponentially growing rate; it finds the order of magnitude and the blow-up point cheaply.
* Its suggestions (minimum/10, steepest, valley, midpoint) differ by up to a decade on the same curve; the steepest-slope reading is the most fragile under minibatch noise, the valley rule the steadiest.
* The curve depends on the sweep length, the smoothing and the batch size: run the test with the batch size you will train with, over a few seeds, and quote a band, not a number.
* The test is conservative compared with a validation search over full runs; use it to bracket the search.

## References

* L. N. Smith (2017). *Cyclical learning rates for training neural networks.* WACV.
* L. N. Smith (2018). *A disciplined approach to neural network hyper-parameters: Part 1.* arXiv:1803.09820.
* J. Howard and S. Gugger (2020). *Fastai: a layered API for deep learning.* Information 11(2); fastai's `lr_find` documentation (the valley suggestion).
* J. Howard (2018). *Practical Deep Learning for Coders*, fast.ai course, lesson 1 (the learning-rate finder, as described in the seed thread).
* S. Gugger (2017). *How do you find a good learning rate* (blog post explaining the smoothing and the stop rule).
* J. Bergstra and Y. Bengio (2012). *Random search for hyper-parameter optimization.* JMLR 13.
* The Keras callback cited in the seed thread: F. Wittmann, *LRFinder* (GitHub, WittmannF/LRFinder).
"""),
]

# =============================================================================== 07
NB07 = [
    md(r"""
# 07 · Sharp and flat minima: why a large learning rate chooses where you end up

The seed question worries about small rates getting "stuck in local minima", and one
answer notes that a large smoothness constant $L$ "leads to the existence of not only local
but also sharp minima", and that with a large $L$ one can still converge with a large rate
when starting near a decent *flat* minimum. This notebook makes that precise: the learning
rate decides not only *how fast* gradient descent converges, but *which* minimum it can
converge to.

## Learning objectives

After this notebook you will be able to

1. state the linear stability condition of a minimum, $\eta < 2/\lambda_{\max}$, and use it to predict which minima a given rate can settle in;
2. read a basin map: for every start point and rate at once, where gradient descent ends;
3. explain why gradient noise (small batches) biases SGD towards flat basins;
4. recognise the edge of stability (sharpness settling at $2/\eta$) and the catapult effect in neural-network training;
5. state the caveat: sharpness depends on the parametrisation, so "flat" is not a property of the function alone.
"""),
    SETUP,
    md(r"""
## A sharp and a flat minimum of equal depth

The double well below has two minima of exactly the same loss (0): a sharp one at $x = -1$
(curvature $k_s = 20$) and a flat one at $x = +1$ (curvature $k_f = 1$). Its formula:
"""),
    code(r"""
from lrlab.surfaces import double_well

well = double_well()
display(well)
print("curvatures at the minima:", well.hessian(well.minima)[:, 0, 0])
"""),
    md(r"""
Near a minimum of curvature $k$ the gradient is $k(x - x^\star)$, so one step multiplies the
distance to the minimum by $1 - \eta k$. The minimum is *stable* (iterates nearby converge
to it) only when $|1 - \eta k| < 1$, i.e. $\eta < 2/k$. For the sharp minimum that is
$\eta < 0.1$; for the flat one $\eta < 2$. A rate between the two *cannot* converge to the
sharp minimum, from anywhere: even started right next to it, the iterate is pushed away.
"""),
    code(r"""
for lr in (0.09, 0.11, 0.3):
    h = train(well, sgd(lr), 300, x0=[-1.05], record_params=True)
    x = h.params[:, 0]
    print(f"lr {lr:4}: from x0 = -1.05, last iterates {np.round(x[-3:], 3)}")
""" + "\n" + CHECK),
    code(r"""
h = train(well, sgd(np.array([0.09, 0.11, 0.3])), 300, x0=[-1.05], record_params=True)
x_end = h.params[-1, :, 0]
assert abs(x_end[0] + 1) < 1e-6                             # below 2/20: settles in the sharp well
assert abs(h.params[-1, 1, 0] - h.params[-2, 1, 0]) > 0.05  # just above: keeps bouncing
assert abs(x_end[2] - 1) < 1e-6                             # well above: ends in the flat well
"""),
    md(r"""
Just above $2/k_s$ the iterate does not leave at once: it bounces between the walls of the
sharp well (a stable 2-cycle, possible because the walls are less curved than the bottom).
Further above, it is thrown out and lands in the flat basin.

## The basin map: every start and every rate at once

For a grid of start points (across) and rates (up, log scale) we run gradient descent from
all of them at once — one array of 15,000 runs — and colour each pair by where it ends
(`lrlab.basins.basin_map`). The dashed lines are the two stability limits.
"""),
    code(r"""
from lrlab.basins import basin_map

bm = basin_map(well, np.geomspace(1e-2, 3, 100), np.linspace(-2, 2.5, 150), 300)
fig, ax = plt.subplots(layout="constrained", figsize=(7, 4))
plots_more.basin_image(bm, ax, names=["sharp minimum (−1)", "flat minimum (+1)"])
for k, name in ((20, "2/k_sharp"), (1, "2/k_flat")):
    ax.axhline(2 / k, color="k", ls="--", lw=1)
    ax.text(2.45, 2 / k, name, ha="right", va="bottom", fontsize=8)
plt.show()
above = bm.lrs > 2 / 20
print("runs ending in the sharp minimum with lr > 2/k_sharp:", int(np.sum(bm.labels[above] == 0)))
print(f"fraction of starts ending in the flat minimum: "
      f"lr = {bm.lrs[20]:.3f}: {bm.fraction(1)[20]:.2f}, "
      f"lr = {bm.lrs[60]:.3f}: {bm.fraction(1)[60]:.2f}")
assert np.sum(bm.labels[above] == 0) == 0 and bm.fraction(1)[60] == 1.0
""" + "\n" + CHECK),
    md(r"""
**Reading the seed's claim.** The answer quoted above speaks of the loss being "Lipschitz with
a large constant $L$". For step sizes the constant that matters is the Lipschitz constant of
the *gradient* — the smoothness $L$ of notebooks 01 and 08, the largest curvature — not of the
loss itself. With that reading the claim is exactly what the map shows: a large global $L$
(here the sharp well's $k_s = 20$) does not forbid a large rate; it only forbids settling
*where* the curvature is that large. And the start matters as much as the rate: at a small
rate (about 0.03) the start alone decides which minimum is reached (two thirds of the starts
end in the flat one, as the map cell printed), while at 0.3 every start on this grid ends in
the flat one. The outcome depends on both the local curvature and the initialisation.

Below $2/k_s$ the map is the ordinary picture: each minimum attracts the starts on its side
of the barrier. Between $0.1$ and $2$ the sharp minimum has *no* basin at all: every run
either ends in the flat minimum or keeps bouncing. Above 2 nothing converges. A large
learning rate is a filter: it only lets gradient descent settle in minima flatter than $2/\eta$.

> **Predict, then move the slider.** In the app, start at $x_0 = -1.5$ and raise the rate from
> 0.05. At which rate does the run stop ending in the sharp minimum? Then double the sharp
> curvature: where does the boundary move? Finally add gradient noise and watch the map.
"""),
    code(r"""
from lrlab.apps.basins import BasinExplorer

explorer = BasinExplorer(lr=0.05, start=-1.5)
explorer
"""),
    md(r"""
## Noise prefers flat basins

Small minibatches add noise to every gradient. With enough noise the iterate can hop over
the barrier, back and forth, and the question becomes where it spends its time. Equal depth
does not mean equal odds: the flat basin is *wider*. A crude model (a noisy gradient flow
settles into a Gibbs-like distribution $\propto e^{-f/T}$) predicts that the share of each
basin is proportional to its width $\propto 1/\sqrt{k}$, so the flat basin should hold
$\sqrt{k_s}/(\sqrt{k_s} + \sqrt{k_f}) = \sqrt{20}/(\sqrt{20} + 1) \approx 0.82$ of the runs.
We start 1,000 noisy runs in each minimum and look after 3,000 steps:
"""),
    code(r"""
from lrlab.basins import final_points

barrier = -0.46       # the top of the barrier between the wells
share = {}
for start in (-1.0, 1.0):
    end = final_points(well, 0.05, np.full((1000, 1), start), 3000, noise=3.0, seed=1)
    share[start] = float(np.mean(end[:, 0] > barrier))
    where = "sharp" if start < 0 else "flat"
    print(f"started in the {where} minimum: {share[start]:.2f} end on the flat side")
predicted = np.sqrt(20) / (np.sqrt(20) + 1)
print(f"width model predicts {predicted:.2f}")
assert all(0.75 < v < 0.95 for v in share.values()) and abs(share[-1.0] - share[1.0]) < 0.06
""" + "\n" + CHECK),
    md(r"""
Whatever the start, about 85% of the noisy runs sit in the flat basin: the noise erased the
memory of the start and the wide basin wins. This is the intuition behind the observation of
Keskar et al. (2017) that large-batch training (less noise) tends to end in sharper minima,
which generalise worse — and behind Hochreiter & Schmidhuber's (1997) older argument that
flat minima need fewer bits to describe and so generalise better. The ratio $\eta/B$
(rate over batch size) sets the noise scale, which is one reason the best learning rate
grows with the batch size.

## Sharpness during training: the edge of stability

In a neural network the curvature is not fixed: it changes as the weights move. Cohen et al.
(2021) found that full-batch gradient descent drives the sharpness (the top Hessian
eigenvalue, computed here from exact Hessian-vector products) *up* until it reaches $2/\eta$,
and then it hovers there — the loss keeps decreasing on average, though not monotonically.
We train a 2-32-32-2 tanh MLP on spirals at two rates:
"""),
    code(r"""
from lrlab.sharpness import edge_of_stability

traces = {lr: edge_of_stability(lr=lr, num_steps=1200, every=100) for lr in (0.2, 0.4)}
fig, axes = plt.subplots(1, 2, figsize=(11, 3.4), layout="constrained")
for lr, tr in traces.items():
    line, = axes[0].plot(tr.steps, tr.sharpness, "o-", ms=3, label=f"lr {lr}")
    axes[0].axhline(2 / lr, color=line.get_color(), ls="--", lw=1)
    axes[1].semilogy(tr.history.loss, color=line.get_color(), lw=1, label=f"lr {lr}")
axes[0].set_xlabel("step")
axes[0].set_ylabel("sharpness (dashed: 2/lr)")
axes[0].legend()
axes[1].set_xlabel("step")
axes[1].set_ylabel("training loss")
axes[1].legend()
plt.show()
for lr, tr in traces.items():
    s = tr.sharpness
    print(f"lr {lr}: sharpness {s[0]:.2f} -> max {s.max():.2f} -> {s[-1]:.2f}; 2/lr = {2 / lr:.1f}")
""" + "\n" + CHECK),
    code(r"""
eos = traces[0.4]
assert eos.sharpness.max() > 2 / 0.4 and abs(eos.sharpness[-1] - 2 / 0.4) < 0.05 * (2 / 0.4)
assert traces[0.2].sharpness.max() < 2 / 0.2   # at the smaller rate the limit is never reached
"""),
    md(r"""
The network adapts its curvature to the learning rate: with $\eta = 0.4$ it sharpens past the
limit $2/\eta = 5$ (to about 7), is pushed back, and then hovers at 5 — the overshoot and
return are the self-stabilisation Cohen et al. describe; with $\eta = 0.2$ it never gets to
$2/\eta = 10$.
So "the learning rate must be below $2/L$" is not the whole story for neural networks: the
rate also *shapes* the $L$ the network ends up with.

## The catapult

What if the rate is above $2/\lambda_0$ already at the start? Lewkowycz et al. (2020) describe
a *catapult* phase: the loss first grows, the sharpness falls (the network is thrown to a
flatter region), and training then converges — often to a better solution than at a small
rate. A 2-64-2 ReLU network on two moons:
"""),
    code(r"""
from lrlab.datasets import two_moons
from lrlab.models import MLP
from lrlab.sharpness import sharpness

relu_net = MLP(two_moons(200, noise=0.15), hidden=(64,), activation="relu", seed=0)
lam0 = float(sharpness(relu_net))
runs = {}
for c in (1.5, 3.5):
    lr = c / lam0
    h = train(relu_net, sgd(lr), 200, record_params=True)
    s = [float(sharpness(relu_net, h.params[k])) for k in (0, 5, 200)]
    runs[c] = (h, s)
    print(f"lr = {c}/λ0 = {lr:.2f}: loss {h.loss[0]:.2f} -> max over the first 5 steps "
          f"{h.loss[:6].max():.2f} -> {h.loss[-1]:.3f}; "
          f"sharpness {s[0]:.2f} -> {s[1]:.2f} -> {s[2]:.2f} (2/lr = {2 / lr:.2f})")
""" + "\n" + CHECK),
    code(r"""
(h_small, _), (h_cat, s_cat) = runs[1.5], runs[3.5]
assert h_cat.loss[:6].max() > 2 * h_cat.loss[0]           # the loss first shoots up...
assert s_cat[1] < 2 / (3.5 / lam0) < s_cat[0]             # ...the sharpness drops below 2/lr...
assert h_cat.loss[-1] < h_small.loss[-1]                  # ...and the catapulted run ends lower
fig, ax = plt.subplots(layout="constrained", figsize=(6.5, 3.2))
ax.semilogy(h_small.loss, label="lr = 1.5/λ0 (stable from the start)")
ax.semilogy(h_cat.loss, label="lr = 3.5/λ0 (catapult)")
ax.set_xlabel("step")
ax.set_ylabel("training loss")
ax.legend()
plt.show()
"""),
    md(r"""
## The caveat: sharpness depends on the parametrisation

Dinh et al. (2017) pointed out that for ReLU networks one can rescale the first layer by
$\alpha$ and the second by $1/\alpha$ without changing the function at all (ReLU is
positively homogeneous), yet the Hessian — and so the sharpness — changes. "Flat" is a
property of a minimum *in given coordinates*, not of the function the network computes:
"""),
    code(r"""
small = MLP(two_moons(200, noise=0.15), hidden=(16,), activation="relu", seed=0)
theta = train(small, sgd(0.5), 300, record_params=True).params[-1]
sl, alpha = small.param_slices, 10.0
rescaled = theta.copy()
rescaled[sl["W1"]] *= alpha
rescaled[sl["b1"]] *= alpha
rescaled[sl["W2"]] /= alpha
same = abs(float(small.loss(theta)) - float(small.loss(rescaled)))
s1, s2 = float(sharpness(small, theta)), float(sharpness(small, rescaled))
print(f"loss difference {same:.1e}; sharpness {s1:.2f} vs {s2:.2f} after rescaling by {alpha:g}")
assert same < 1e-10 and s2 > 10 * s1
""" + "\n" + CHECK),
    md(r"""
The same function, a sharpness more than 20 times larger. This does not make the stability argument
wrong — gradient descent runs in the coordinates it is given, and in those coordinates
$2/\eta$ is the limit — but it does mean that "flat minima generalise better" needs a
parametrisation-aware notion of flatness to be a theorem.

### Check yourself
"""),
    code(r"""
widgets.quiz(
    "A minimum has curvature 50. What is the largest learning rate at which plain gradient "
    "descent can converge to it?",
    answer=0.04,
    explanation="Stability needs |1 − lr·k| < 1, i.e. lr < 2/k = 2/50 = 0.04. Above it, "
                "the iterate is pushed out of that minimum, however close it starts.")
"""),
    md(r"""
## Takeaways

* A minimum of curvature $k$ can only be reached with $\eta < 2/k$: a large learning rate filters out sharp minima, whatever the start.
* The basin map shows it for every start at once: above $2/k_s$ the sharp minimum has no basin.
* Gradient noise makes runs hop between basins and spend most time in wide (flat) ones; the noise scale grows with $\eta/B$.
* In networks, curvature adapts to the rate: full-batch GD sharpens until $2/\eta$ and hovers there (edge of stability); above $2/\lambda_0$ at the start, a catapult can throw training to a flatter, better region.
* Sharpness depends on the parametrisation: rescaling a ReLU network changes it without changing the function.

## References

* S. Hochreiter and J. Schmidhuber (1997). *Flat minima.* Neural Computation 9(1).
* N. S. Keskar, D. Mudigere, J. Nocedal, M. Smelyanskiy and P. T. P. Tang (2017). *On large-batch training for deep learning: generalization gap and sharp minima.* ICLR.
* L. Dinh, R. Pascanu, S. Bengio and Y. Bengio (2017). *Sharp minima can generalize for deep nets.* ICML.
* L. Wu, C. Ma and W. E (2018). *How SGD selects the global minima in over-parameterized learning: a dynamical stability perspective.* NeurIPS.
* J. M. Cohen, S. Kaur, Y. Li, J. Z. Kolter and A. Talwalkar (2021). *Gradient descent on neural networks typically occurs at the edge of stability.* ICLR.
* A. Lewkowycz, Y. Bahri, E. Dyer, J. Sohl-Dickstein and G. Gur-Ari (2020). *The large learning rate phase of deep learning: the catapult mechanism.* arXiv:2003.02218.
* S. L. Smith and Q. V. Le (2018). *A Bayesian perspective on generalization and stochastic gradient descent.* ICLR (the noise scale $\eta N/B$).
"""),
]

# =============================================================================== 08
NB08 = [
    md(r"""
# 08 · Curvature, line search and the cost of not choosing a learning rate

One answer in the seed thread says the learner's intuition is right *for convex,
differentiable losses*: the learning rate is tied to the shape of the loss through its
smoothness constant $L$ (Theorem 6.1 of the CMU convex optimisation notes). Another
mentions that Andrew Ng's notes use L-BFGS, which needs no learning rate. This notebook
goes through the ways of getting the step size from the problem instead of from a sweep —
and counts what each one costs.

## Learning objectives

After this notebook you will be able to

1. derive the fixed rates $1/L$ and $2/(\mu+L)$ and their convergence factors on a quadratic;
2. explain exact line search and its zig-zag, Armijo backtracking, Polyak's step and the Barzilai–Borwein step, and what each needs (the loss, $f^\star$, two gradients);
3. compare methods by gradient *and* function evaluations, not by iterations;
4. say when L-BFGS is the right tool and why it is rarely used for minibatch SGD.
"""),
    SETUP,
    md(r"""
## The fixed rates from curvature: $1/L$ and $2/(\mu+L)$

If $f$ is $L$-smooth (its gradient is $L$-Lipschitz; for a quadratic, $L$ is the largest
Hessian eigenvalue), then $f(\theta - \eta g) \le f(\theta) - \eta(1 - \tfrac{L\eta}{2})\|g\|^2$.
The guaranteed decrease is largest at $\eta = 1/L$, and for convex $f$ gradient descent with
any fixed $\eta \le 1/L$ satisfies $f(\theta_k) - f^\star \le \|\theta_0 - \theta^\star\|^2/(2\eta k)$
(Theorem 6.1 of Tibshirani's CMU lecture 6 notes, the theorem the seed thread cites;
Nesterov 2004, §2.1.5, proves the same $O(1/k)$ rate). If $f$ is also
$\mu$-strongly convex, the fixed rate that minimises the worst contraction factor is
$\eta = 2/(\mu + L)$, with factor $(\kappa - 1)/(\kappa + 1)$ per step on the distance
($\kappa = L/\mu$), against $1 - 1/\kappa$ for $1/L$. Both rules read $L$ (and $\mu$) from the problem:
"""),
    code(r"""
from lrlab.rules import (
    armijo,
    barzilai_borwein,
    exact_line_search,
    inverse_smoothness,
    optimal_constant,
    polyak,
)
from lrlab.surfaces import quadratic

kappa = 20.0
# A valley with curvatures 1/20 and 1, started on the worst-case ray for steepest descent.
bowl = quadratic([1 / kappa, 1.0], x0=[1.0, 1 / kappa])
display(inverse_smoothness(bowl), optimal_constant(bowl))
factors = {}
for rule in (inverse_smoothness(bowl), optimal_constant(bowl), exact_line_search(bowl)):
    h = train(bowl, rule, 60, record_params=True)
    factors[rule.name] = float((h.loss[60] / h.loss[40]) ** (1 / 20))  # loss factor per step
theory = {"1/L": (1 - 1 / kappa) ** 2, "2/(mu+L)": ((kappa - 1) / (kappa + 1)) ** 2}
for name, f in factors.items():
    print(f"{name:22s} measured loss factor per step {f:.4f}")
print(f"theory: 1/L {theory['1/L']:.4f}, 2/(mu+L) and exact line search {theory['2/(mu+L)']:.4f}")
""" + "\n" + CHECK),
    code(r"""
vals = list(factors.values())
assert abs(vals[0] - theory["1/L"]) < 1e-4 and abs(vals[1] - theory["2/(mu+L)"]) < 1e-4
assert abs(vals[2] - theory["2/(mu+L)"]) < 1e-3    # exact line search is no faster from this start
"""),
    md(r"""
For a data problem, $L$ comes from the data: least squares has $L = \lambda_{\max}(X^\top X)/n$,
logistic regression $L = \lambda_{\max}(X^\top X)/(4n)$ (the logistic function's slope is at
most $1/4$). These are *worst-case* bounds: the actual curvature along the path is often
smaller, so the best fixed rate can be larger than $2/L$ — $1/L$ is safe, not optimal:
"""),
    code(r"""
from lrlab.apps.linesearch_race import race_problem

logreg = race_problem("logistic regression")     # 300 samples, 40 sparse binary features, l2 = 1e-3
L = logreg.smoothness
scales = np.geomspace(0.1, 30, 15)
h = train(logreg, sgd(scales / L), 150)
gap = h.loss[-1] - logreg.f_star
best_scale = scales[np.nanargmin(gap)]
print(f"L = {L:.3f}; after 150 steps: gap at 1/L {gap[np.argmin(abs(scales - 1))]:.2e}, "
      f"best fixed rate {best_scale:.2f}/L with gap {np.nanmin(gap):.2e}")
assert best_scale > 2      # above the worst-case stability bound 2/L, and it still converges
""" + "\n" + CHECK),
    md(r"""
## Exact line search and its zig-zag

Why fix the rate at all? *Steepest descent with exact line search* picks, at every step,
the $\eta$ that minimises $f(\theta_t - \eta g_t)$. On a quadratic there is a closed form,
$\eta_t = g_t^\top g_t / g_t^\top A g_t$; elsewhere a one-dimensional search (golden section
here) evaluates the loss many times per step. At the exact minimiser along the ray the new
gradient is orthogonal to the old one, so the path zig-zags with right angles — and from the
worst-case start it is no faster than the fixed rate $2/(\mu+L)$ (Kantorovich's bound is tight):
"""),
    code(r"""
rule = exact_line_search(bowl)
display(rule)
h_exact = train(bowl, rule, 12, record_params=True)
steps = np.diff(h_exact.params, axis=0)
cosines = np.einsum("ti,ti->t", steps[1:], steps[:-1]) / (
    np.linalg.norm(steps[1:], axis=1) * np.linalg.norm(steps[:-1], axis=1))
fig, ax = plt.subplots(layout="constrained", figsize=(6.5, 3.4))
plots.contours(bowl, ax, bounds=((-0.2, 1.1), (-0.08, 0.08)))
plots.trajectory(h_exact.params, ax, color=plots.COLORS[1], label="exact line search")
ax.set_aspect("auto")
ax.legend(loc="upper right")
plt.show()
print("cosine between consecutive steps:", np.round(cosines[:5], 10))
assert np.all(np.abs(cosines) < 1e-8)
""" + "\n" + CHECK),
    md(r"""
## Armijo backtracking

An exact minimisation along the ray is wasteful: any step that decreases the loss *enough*
will do. **Armijo's rule** (Armijo 1966; Nocedal & Wright, Algorithm 3.1) tries
$\eta = \eta_0$ and halves it until the sufficient-decrease condition
$f(\theta - \eta g) \le f(\theta) - c\,\eta\,\|g\|^2$ holds. For an $L$-smooth $f$ every
$\eta \le 2(1-c)/L$ passes, so backtracking finds a step of the order of $1/L$ without
knowing $L$, for the price of a few extra loss evaluations per step. On the valley
($L = 1$), starting every search at $\eta_0 = 10$:
"""),
    code(r"""
rule = armijo(lr0=10.0)      # a first trial ten times larger than 1/L
display(rule)
h = train(bowl, rule, 5)
print("steps used:", h.lr)
print("cumulative loss evaluations:", h.loss_evals, " gradient evaluations:", h.grad_evals)
""" + "\n" + CHECK),
    md(r"""
## Polyak's step: if you know $f^\star$

If the optimal value $f^\star$ is known, the step $\eta_t = (f(\theta_t) - f^\star)/\|g_t\|^2$
(Polyak 1987) is the rate at which the linear model of $f$ reaches $f^\star$. It needs no
sweep and no extra evaluations — but it needs $f^\star$. It is known for models that can fit
their data exactly (then $f^\star = 0$; the "stochastic Polyak step" builds on that); for a
regularised logistic regression it is not. With a wrong $f^\star$ the method stalls:
"""),
    code(r"""
display(polyak(logreg.f_star))
guesses = np.array([logreg.f_star, logreg.f_star - 0.1, 0.0])
h = train(logreg, polyak(guesses), 150)
for g, final in zip(guesses, h.loss[-1] - logreg.f_star, strict=True):
    print(f"f* given {g:.3f} (true {logreg.f_star:.3f}): gap after 150 steps {final:.2e}")
assert (h.loss[-1] - logreg.f_star)[0] < 1e-5 < (h.loss[-1] - logreg.f_star)[2]
""" + "\n" + CHECK),
    md(r"""
## Barzilai–Borwein: curvature from two gradients

The Barzilai–Borwein step (1988) fits a scalar secant model: with $s = \theta_t - \theta_{t-1}$
and $y = g_t - g_{t-1}$, it takes $\eta_t = s^\top s / s^\top y$ — the inverse of the curvature
along the last step, like the parabola rule of notebook 05 along one direction. It is
*non-monotone*: the loss goes up at some steps, yet on quadratics it converges much faster
than any fixed rate. Without safeguards (a non-monotone line search, Raydan 1997) it can also
diverge on non-convex problems, as the race below shows on Rosenbrock.
"""),
    code(r"""
display(barzilai_borwein("long", lr0=1.0 / logreg.smoothness))
h = train(logreg, barzilai_borwein("long", lr0=1.0 / logreg.smoothness), 150)
ups = int(np.sum(np.diff(h.loss) > 0))
print(f"loss went UP at {ups} of 150 steps; final gap {h.loss[-1] - logreg.f_star:.1e}")
assert ups > 5 and h.loss[-1] - logreg.f_star < 1e-8
""" + "\n" + CHECK),
    md(r"""
## L-BFGS

L-BFGS (Liu & Nocedal 1989) keeps the last $m$ pairs $(s, y)$ and builds from them an
approximation of the *inverse Hessian*, so each step is a quasi-Newton step, followed by a
line search (scipy's, here). It is what Andrew Ng's CS294A sparse-autoencoder notes use
(via minFunc) to avoid choosing a learning rate at all. It shines on deterministic, smooth,
moderately sized problems; with minibatches its secant pairs are corrupted by the noise, which
is why deep learning uses SGD-type methods instead. `lrlab.baselines.lbfgs` runs scipy's
implementation and records a History like every other run.

## The race: counting every evaluation

The app runs all the methods on one problem. The x axis is the cost you choose:
*iterations* (what plots in papers often show), *gradient evaluations*, or *all evaluations*
(gradient evaluations plus the loss-only evaluations of the line searches). The middle panel
shows the step size each method used. The status line says what each method needed to cut the
gap by a factor 1000.

> **Predict, then switch the axis.** On Rosenbrock, Armijo needs about as many *iterations* as
> L-BFGS. Will it still look as good against *all evaluations*? Write down a guess, switch the
> axis and see. Then move the GD learning-rate slider: can you find a fixed rate that cuts the
> gap by 1000 within the 200 iterations?
"""),
    code(r"""
from lrlab.apps.linesearch_race import LineSearchRace

race = LineSearchRace("Rosenbrock", cost="all evaluations")
race
"""),
    code(r"""
def cost_table(app):
    rows = {}
    for cost in ("iterations", "gradient evaluations", "all evaluations"):
        app.cost.value = cost
        rows[cost] = dict(app.solved_at)
    print(f"{'method':20s} {'iterations':>11s} {'grad evals':>11s} {'all evals':>10s}")
    for name in rows["iterations"]:
        h = app.histories.get(name)
        if h is None:
            continue
        cells = [rows[c][name] for c in rows]
        diverged = bool(np.any(h.diverged_at >= 0))
        text = ["diverged" if diverged else ("—" if v is None else f"{v:.0f}")
                for v in cells]
        print(f"{name:20s} {text[0]:>11s} {text[1]:>11s} {text[2]:>10s}")
    return rows

print("Rosenbrock: cost to cut the gap by 1000 (— = not within 200 iterations)")
rosen = cost_table(race)
race.problem_name.value = "logistic regression"
print("\nLogistic regression:")
logistic = cost_table(race)
race.cost.value = "all evaluations"
""" + "\n" + CHECK),
    code(r"""
# Claims: L-BFGS is the cheapest on both problems; line searches pay in loss evaluations.
for rows in (rosen, logistic):
    solved = {k: v for k, v in rows["all evaluations"].items() if v is not None}
    assert min(solved, key=solved.get) == "L-BFGS"
a = logistic["all evaluations"]
assert a["exact line search"] > 5 * logistic["iterations"]["exact line search"]
# The bullets below: exact line search misses the target on Rosenbrock, Armijo pays
# several loss evaluations per iteration there; BB (which diverges there, see the table)
# is the fastest first-order method on the logistic regression.
assert rosen["iterations"]["exact line search"] is None
assert rosen["all evaluations"]["Armijo"] > 5 * rosen["iterations"]["Armijo"]
first_order = {k: v for k, v in a.items() if v is not None and k != "L-BFGS"}
assert min(first_order, key=first_order.get) == "Barzilai-Borwein"
"""),
    md(r"""
The race shows the honest price of "not choosing a learning rate":

* **exact line search** pays about 20 loss evaluations per iteration (on the logistic
  regression: 144 iterations, about 3,000 evaluations), and on Rosenbrock it does not reach
  the target within 200 iterations at all;
* **Armijo** never diverges, but each backtrack is a loss evaluation: on Rosenbrock it
  needs about 10 per iteration (40 iterations, over 400 evaluations), and on the logistic
  regression its steps, capped by the first trial $\eta_0$, are too short to reach the target
  in 200 iterations;
* **Polyak** is free per step but needs $f^\star$ (it solves the logistic regression, whose
  $f^\star$ the race is given); **Barzilai–Borwein** is free per step and the fastest
  first-order method on the convex problem, and diverges on Rosenbrock without safeguards;
* **L-BFGS** is in a class of its own on these small, deterministic problems (13–35
  evaluations) — and it is not an SGD method.

With minibatches, a loss evaluation on the same batch is noisy too, and the savings of line
searches shrink; that is why stochastic line searches (Vaswani et al. 2019) and the methods of
notebook 05 exist.

### Check yourself
"""),
    code(r"""
widgets.quiz(
    "Armijo backtracking starts at lr0 = 1 with shrink factor 1/2 and accepts the step 1/8. "
    "How many loss-only evaluations did that step cost?",
    answer=4,
    explanation="It tried 1, 1/2, 1/4 and 1/8: four evaluations of the loss at trial points "
                "(the loss and gradient at the current point come with the gradient evaluation).")
"""),
    md(r"""
## Takeaways

* On smooth convex problems the learning rate *is* tied to the shape: $1/L$ is safe, $2/(\mu+L)$ is the best fixed rate for the worst case, and both follow from $L$ (and $\mu$).
* $L$ is a worst-case bound; the best fixed rate in practice can be larger than $2/L$.
* Exact line search zig-zags and is no faster than $2/(\mu+L)$ on an ill-conditioned quadratic from a bad start; Armijo backtracking finds a step of order $1/L$ for a few evaluations.
* Polyak needs $f^\star$; Barzilai–Borwein is non-monotone and needs safeguards; L-BFGS is the tool for small deterministic problems.
* Compare methods by what they cost (gradient and function evaluations), not by iterations.

## References

* Y. Nesterov (2004). *Introductory Lectures on Convex Optimization: A Basic Course.* Kluwer. §2.1.
* R. Tibshirani. *Convex Optimization (10-725/36-725)*, CMU, lecture 6 "Gradient descent" scribe notes (Theorem 6.1, the $1/L$ rate), the notes cited in the seed thread.
* L. Armijo (1966). *Minimization of functions having Lipschitz continuous first partial derivatives.* Pacific J. Math. 16(1).
* J. Nocedal and S. J. Wright (2006). *Numerical Optimization*, 2nd ed., Springer. Chapters 3 (line search) and 7 (L-BFGS).
* B. T. Polyak (1987). *Introduction to Optimization.* Optimization Software. (The Polyak step size.)
* J. Barzilai and J. M. Borwein (1988). *Two-point step size gradient methods.* IMA J. Numerical Analysis 8(1).
* M. Raydan (1997). *The Barzilai and Borwein gradient method for the large scale unconstrained minimization problem.* SIAM J. Optim. 7(1).
* D. C. Liu and J. Nocedal (1989). *On the limited memory BFGS method for large scale optimization.* Mathematical Programming 45.
* A. Ng (2011). *CS294A Lecture notes: Sparse autoencoder*, Stanford (uses L-BFGS, p. 12).
* S. Vaswani, A. Mishkin, I. Laradji, M. Schmidt, G. Gidel and S. Lacoste-Julien (2019). *Painless stochastic gradient: interpolation, line-search, and convergence rates.* NeurIPS.
* N. Loizou, S. Vaswani, I. Laradji and S. Lacoste-Julien (2021). *Stochastic Polyak step-size for SGD.* AISTATS.
"""),
]

# =============================================================================== 09
TABLE_CODE = r'''
from lrlab import baselines, linesearch, plateau, rules, schedules
from lrlab.surfaces import quadratic

P = quadratic([1.0, 10.0])   # the curvature rules need a problem to read L (and mu) from
# (lrlab call, Keras 3 name and defaults, optax name and defaults); PyTorch's column comes from
# the objects' own `.torch` text, so it cannot drift from the code.
RULE_ROWS = [
    ("rules.sgd(0.01)", "keras.optimizers.SGD(learning_rate=0.01, momentum=0.0, nesterov=False)", "optax.sgd(learning_rate, momentum=None, nesterov=False)"),  # noqa: E501
    ("rules.adagrad()", "keras.optimizers.Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7)", "optax.adagrad(learning_rate, initial_accumulator_value=0.1, eps=1e-7)"),  # noqa: E501
    ("rules.rmsprop()", "keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False)", "optax.rmsprop(learning_rate, decay=0.9, eps=1e-8, centered=False)"),  # noqa: E501
    ("rules.adadelta()", "keras.optimizers.Adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-7)", "optax.adadelta(learning_rate=None, rho=0.9, eps=1e-6)"),  # noqa: E501
    ("rules.adam()", "keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)", "optax.adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8)"),  # noqa: E501
    ("rules.amsgrad()", "keras.optimizers.Adam(..., amsgrad=True)", "optax.amsgrad(learning_rate, b1=0.9, b2=0.999, eps=1e-8)"),  # noqa: E501
    ("rules.adamw()", "keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.004, ...)", "optax.adamw(learning_rate, b1=0.9, b2=0.999, eps=1e-8, weight_decay=1e-4)"),  # noqa: E501
    ("rules.ftrl(0.1)", "keras.optimizers.Ftrl(learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1, beta=0.0)", "—"),  # noqa: E501
    ("rules.ftrl_time(0.1, gamma=0.1)", "— (Ftrl's learning_rate_power changes the exponent of the gradient rate, not a time factor)", "—"),  # noqa: E501
    ("rules.parabola()", "—", "—"),
    ("rules.dog()", "—", "optax.contrib.dog (recent optax versions)"),
    ("rules.schedule_free_sgd()", "—", "optax.contrib.schedule_free_sgd"),
    ("linesearch.inverse_smoothness(P)", "SGD(learning_rate=1/L)", "optax.sgd(1/L)"),
    ("linesearch.optimal_constant(P)", "SGD(learning_rate=2/(mu+L))", "optax.sgd(2/(mu+L))"),
    ("linesearch.exact_line_search(P)", "—", "—"),
    ("linesearch.armijo()", "—", "optax.scale_by_backtracking_linesearch(max_backtracking_steps, slope_rtol=1e-4, decrease_factor=0.8)"),  # noqa: E501
    ("linesearch.polyak(0.0)", "—", "optax.polyak_sgd(max_learning_rate=1.0, f_min=0.0)"),
    ("linesearch.barzilai_borwein()", "—", "—"),
    ("rules.clip_by_norm(1.0)", "optimizer argument global_clipnorm=1.0 (clipnorm clips each tensor separately)", "optax.clip_by_global_norm(max_norm)"),  # noqa: E501
    ("rules.clip_by_value(1.0)", "optimizer argument clipvalue=1.0", "optax.clip(max_delta)"),
    ("plateau.reduce_on_plateau(0.1)", "keras.callbacks.ReduceLROnPlateau(monitor='val_loss', factor=0.1, patience=10, min_delta=1e-4)", "optax.contrib.reduce_on_plateau(factor=0.1, patience=10, rtol=1e-4)"),  # noqa: E501
]
SCHEDULE_ROWS = [
    ("schedules.constant(0.1)", "a float learning_rate", "optax.constant_schedule(value)"),
    ("schedules.inverse_time(0.1, decay_rate=0.5)", "keras.optimizers.schedules.InverseTimeDecay(initial_learning_rate, decay_steps, decay_rate, staircase=False)", "— (a callable: lambda t: lr / (1 + k t))"),  # noqa: E501
    ("schedules.inverse_sqrt(0.1)", "—", "— (a callable)"),
    ("schedules.polynomial(0.1, 100)", "keras.optimizers.schedules.PolynomialDecay(initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0)", "optax.polynomial_schedule(init_value, end_value, power, transition_steps)"),  # noqa: E501
    ("schedules.step(0.1, 30)", "keras.optimizers.schedules.ExponentialDecay(..., staircase=True)", "optax.exponential_decay(..., staircase=True)"),  # noqa: E501
    ("schedules.multistep(0.1, [30, 60])", "keras.optimizers.schedules.PiecewiseConstantDecay(boundaries, values)", "optax.piecewise_constant_schedule(init_value, boundaries_and_scales)"),  # noqa: E501
    ("schedules.exponential(0.1, 0.95)", "keras.optimizers.schedules.ExponentialDecay(initial_learning_rate, decay_steps, decay_rate)", "optax.exponential_decay(init_value, transition_steps, decay_rate)"),  # noqa: E501
    ("schedules.linear(0.1, 0.1, 1.0, 10)", "PolynomialDecay(power=1.0)", "optax.linear_schedule(init_value, end_value, transition_steps)"),  # noqa: E501
    ("schedules.cosine(0.1, 100)", "keras.optimizers.schedules.CosineDecay(initial_learning_rate, decay_steps, alpha=0.0)", "optax.cosine_decay_schedule(init_value, decay_steps, alpha=0.0)"),  # noqa: E501
    ("schedules.cosine_restarts(0.1, 20)", "keras.optimizers.schedules.CosineDecayRestarts(initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0)", "optax.sgdr_schedule(cosine_kwargs)"),  # noqa: E501
    ("schedules.cyclic(0.01, 0.1, 10)", "—", "—"),
    ("schedules.one_cycle(0.1, 100)", "—", "optax.cosine_onecycle_schedule(transition_steps, peak_value, pct_start=0.3, div_factor=25.0, final_div_factor=1e4)"),  # noqa: E501
    ("schedules.warmup(schedules.cosine(0.1, 100), 10)", "CosineDecay(..., warmup_target, warmup_steps)", "optax.warmup_cosine_decay_schedule(init_value, peak_value, warmup_steps, decay_steps)"),  # noqa: E501
    ("schedules.join([schedules.constant(0.1), schedules.constant(0.01)], [50])", "—", "optax.join_schedules(schedules, boundaries)"),  # noqa: E501
]


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(rows, what):
    lines = [f"| lrlab {what} | PyTorch (from the object's `.torch`) | Keras | optax |",
             "|---|---|---|---|"]
    for call, keras, optax in rows:
        torch = getattr(eval(call), "torch", None) or "—"
        lines.append(f"| `{call}` | {_cell(torch)} | {_cell(keras)} | {_cell(optax)} |")
    return "\n".join(lines)


table_md = ("### Rules\n\n" + _table(RULE_ROWS, "rule") + "\n\n### Schedules\n\n"
            + _table(SCHEDULE_ROWS, "schedule")
            + "\n\nL-BFGS: `lrlab.baselines.lbfgs(problem, num_steps, m=10)` runs "
            "scipy's L-BFGS-B; "
            "PyTorch: `torch.optim.LBFGS(params, lr=1, max_iter=20, history_size=100, "
            "line_search_fn=None)`; optax: `optax.lbfgs(memory_size=10)`; "
            "Keras: none.")
'''

NB09 = [
    md(r"""
# 09 · Choosing the learning rate in practice

The last notebook puts the pieces together into a procedure you can apply to your own
model: a recipe, a search scored on validation data, a monitor that reads the size of the
updates, an advisor that combines the evidence, a checklist that answers the learner's
questions directly, and a table that carries every rule and schedule of this course to
PyTorch, Keras and optax.

## Learning objectives

After this notebook you will be able to

1. follow a short recipe to choose (and later decay) a learning rate for a new model;
2. run a grid or log-uniform random search with validation, and explain why random search covers the learning-rate axis better when several hyperparameters are searched at once;
3. monitor the update-to-parameter ratio and interpret it, including its limits;
4. answer each of the seed question's sub-questions in one or two sentences, with the notebook that shows it;
5. translate any lrlab rule or schedule into its PyTorch, Keras or optax equivalent.
"""),
    SETUP,
    md(r"""
## A recipe

1. **Sanity-check the scale.** Search the rate on a log scale, so that every decade gets the same number of trials. For plain SGD on a network with standardised inputs, 0.01 is a sane first value and the useful rates lie within about 1e-5 to 1: Bengio (2012) gives 0.01 as a default that often works and places useful values below 1 and above 1e-6; the answers in the seed thread quote 1e-4 to 1 and [1e-5, 0.1]. Adaptive rules' global rates (Adam's 1e-3) sit in the same span. A linear grid over such a range wastes almost all its points on the top decade.
2. **Bracket it with a range test** (notebook 06), with the batch size you will train with, over 2–3 seeds: it gives the order of magnitude and the blow-up point in one short run each.
3. **Refine with a search scored on validation data**: a handful of full (or half-length) runs around the bracket, on a held-out split or by k-fold cross-validation; prefer log-uniform random points when you search more than one hyperparameter.
4. **Train near the largest stable rate, then decay it** (notebook 04): step ÷10 on plateaus, or cosine; warm up if the first steps are unstable.
5. **Watch the run**: the loss curve's shape (notebook 02), the update ratio (below), NaNs. Too high: oscillation, spikes, NaN. Too low: a slow, straight decline and updates far below 1e-3 of the weights.
6. **Re-tune when the batch size or the model changes**: the best rate moves with both (notebooks 03 and 07).
"""),
    md(r"""
## Reading a flat loss curve: too low, or stuck?

A loss that has not moved for several epochs has two explanations, and the seed thread
names both: the rate is too low (every step is tiny), or the run is stuck — at a local
minimum, on a plateau or at a saddle. They call for opposite actions, and one cheap
experiment tells them apart: **raise the rate by 10x for a short while.** If the loss starts
falling at once, the rate was too low. If it does not move (or the larger rate just makes it
bounce), the run sits at a point where the gradient itself is small, and the remedies are a
restart from another initialisation, momentum, or accepting the minimum. The update ratio
below gives a second opinion: far below $10^{-3}$ means tiny steps.

> **Predict, then look.** Below, the MLP is trained at a rate of $10^{-4}$ for 300 steps, then
> the rate is raised tenfold for 100 more steps. Will the loss, flat in the first phase, start
> falling in the second?
"""),
    code(r"""
from lrlab.apps.finder_replay import default_mlp
from lrlab.diagnostics import update_ratio as _update_ratio

net = default_mlp()
slow = train(net, sgd(1e-4), 300, batch_size=16, record_params=True)
faster = train(net, sgd(1e-3), 100, batch_size=16, x0=slow.params[-1], seed=1)
drop_slow = slow.loss[0] - slow.loss[-1]
drop_fast = faster.loss[0] - faster.loss[-1]
print(f"lr 1e-4, 300 steps: loss {slow.loss[0]:.3f} -> {slow.loss[-1]:.3f}; "
      f"update ratio {_update_ratio(slow, net).median:.1e}")
print(f"lr 1e-3, 100 more:  loss {faster.loss[0]:.3f} -> {faster.loss[-1]:.3f}")
# a tenth of the steps at ten times the rate makes more progress: the rate was too low
assert drop_fast > drop_slow > 0
""" + "\n" + CHECK),
    md(r"""
## Grid or random search, with validation

Choosing a learning rate is one instance of *hyperparameter optimisation*: the seed thread
points to packages built for it (spearmint, hyperopt; today also Optuna and others), which
model the validation score as a function of the hyperparameters and propose the next
candidate (Bayesian optimisation, tree-structured Parzen estimators). The baseline they must
beat is simple. Bergstra & Bengio (2012) observed that when only a few of the searched
hyperparameters matter, a *grid* wastes most of its budget: 16 points on a 4×4 grid of
(learning rate, momentum) try only 4 learning rates, while 16 random points try 16.

Both searches below train the MLP of notebook 06 (minibatches of 16, 300 steps) and score
each candidate on 20% held-out data; all candidates of a search run as one batched run.
"""),
    code(r"""
from lrlab.apps.finder_replay import default_mlp
from lrlab.search import grid_search, random_search

net = default_mlp()
grid = grid_search(net, sgd, np.geomspace(0.03, 3, 4), param=("momentum", [0.0, 0.5, 0.9, 0.99]),
                   num_steps=300, batch_size=16, progress=False)
rand = random_search(net, sgd, (0.01, 10), 16, param=("momentum", (0.0, 0.99)),
                     num_steps=300, batch_size=16, progress=False)
for name, res in (("grid", grid), ("random", rand)):
    n_lr = len(np.unique(res.lrs))
    print(f"{name:6s}: {n_lr} distinct learning rates; best lr {res.best_lr:.3g}, "
          f"momentum {res.best['momentum']:.2f}, validation loss {res.best['score']:.3f}")
assert len(np.unique(rand.lrs)) == 16 > len(np.unique(grid.lrs)) == 4
""" + "\n" + CHECK),
    code(r"""
fig, axes = plt.subplots(layout="constrained", ncols=2, figsize=(11, 3.6), sharey=True)
designs = (("4 x 4 grid", grid), ("16 log-uniform random points", rand))
for ax, (name, res) in zip(axes, designs, strict=True):
    mom = np.array([r["momentum"] for r in res.table])
    sc = ax.scatter(res.lrs, mom, c=np.minimum(res.scores, 1.0), cmap="viridis_r", s=60,
                    vmin=0, vmax=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_title(name, fontsize=10)
axes[0].set_ylabel("momentum")
fig.colorbar(sc, ax=axes, label="validation loss (capped at 1)")
plt.show()
"""),
    md(r"""
Both searches find that momentum and rate trade off (the effective step is about
$\eta/(1-\mu_m)$, with $\mu_m$ the momentum), and here the grid happened to contain an excellent pair. Random search's
advantage is about coverage, in expectation: its projections on the learning-rate axis never
repeat. With one hyperparameter only, a log-spaced grid is as good and easier to read.

**Cross-validation.** A single held-out split is noisy on small data; $k$-fold
cross-validation trains every candidate $k$ times (on $k$ different splits) and averages the
scores — $k$ times the cost, a steadier ranking:
"""),
    code(r"""
cv = grid_search(net, sgd, np.geomspace(0.03, 3, 5), num_steps=300, batch_size=16,
                 validation="kfold", k=3, progress=False)
print(cv.to_text())
print(f"\n3-fold CV picks lr {cv.best_lr:.3g}")
""" + "\n" + CHECK),
    md(r"""
## The update-to-parameter ratio

Karpathy's CS231n notes suggest watching, per layer, the size of each update relative to
the size of the weights, $\|\Delta\theta\|/\|\theta\|$, and keeping it around $10^{-3}$: much
smaller and the rate is probably too low (the weights barely move), much larger and it is
probably too high. The trainer records it at every step (`History.update_ratio`), and
`diagnostics.update_ratio` reads it per layer:
"""),
    code(r"""
from lrlab.diagnostics import update_ratio

lrs = [1e-5, 1e-3, 1e-2, 0.3, 3.0]
reports = {}
fig, ax = plt.subplots(layout="constrained", figsize=(7, 3.6))
for lr in lrs:
    h = train(net, sgd(lr), 300, batch_size=16, record_params=True)
    reports[lr] = update_ratio(h, net)
    ax.semilogy(h.update_ratio, lw=1, label=f"lr {lr:g}: median {reports[lr].median:.1e}")
ax.axhspan(1e-4, 1e-2, color="0.85", zorder=0, label="within a decade of 1e-3")
ax.set_xlabel("step")
ax.set_ylabel("‖update‖ / ‖θ‖")
ax.legend(fontsize=8, loc="lower right")
plt.show()
for lr, rep in reports.items():
    layers = ", ".join(f"{k} {float(np.nanmedian(v)):.1e}" for k, v in rep.layers.items())
    print(f"lr {lr:6g}: {rep.verdict:9s} (median {rep.median:.1e}; {layers})")
""" + "\n" + CHECK),
    code(r"""
medians = [reports[lr].median for lr in lrs]
from itertools import pairwise

assert all(a < b for a, b in pairwise(medians[:-1]))   # the ratio grows with the rate
assert reports[1e-5].verdict == "too low" and reports[1e-2].verdict == "ok"
assert reports[0.3].verdict == "too high"
"""),
    md(r"""
The monitor separates "nothing is happening" (1e-5: ratio ~1e-6) from "every step rewrites
the weights" — but note that it calls 0.3 "too high", while the searches above found rates
between 0.3 and 3 to be the *best* for this small network and this short budget. The $10^{-3}$ target
is a rule of thumb for large networks trained for many steps; on a tiny network a larger
relative update is harmless. Use the ratio to catch orders-of-magnitude mistakes, and per
layer to find a layer that learns much slower or faster than the others.

## The advisor

`lrlab.advisor.advise` combines three cheap pieces of evidence — a range test over seeds, the
curvature bound $2/S$ (for plain SGD) and a short batched trial of candidates around them —
and says in words how well they agree:
"""),
    code(r"""
from lrlab.advisor import advise

advice = advise(net, batch_size=16, progress=False)
print(advice.explain())
""" + "\n" + CHECK),
    code(r"""
# The advisor and the validation search agree within a decade.
assert abs(np.log10(advice.lr / grid.best_lr)) < 1.0
"""),
    md(r"""
## A checklist: the learner's questions, answered

| The learner asked | Answer | Shown in |
|---|---|---|
| Is the learning rate related to the shape of the error surface? | For plain SGD the rate itself is one global number, but the *rates that work* are set by the curvature: GD is stable below $2/L$, with $L$ the largest curvature, and a minimum of curvature $k$ can only be reached with $\eta < 2/k$. | 01, 07, 08 |
| If so, how do I use the shape to choose a value? | On smooth convex problems use $1/L$ (or $2/(\mu+L)$), or let a line search find it; estimate the sharpness with Hessian-vector products; or let an adaptive rule scale each coordinate (Adagrad, RMSprop, Adam, FTRL, the $\sigma_\theta/\sigma_g$ rule). | 05, 08 |
| If not, which values should I try, and how? | Log-spaced values from about 1e-5 to 1 (0.01 is a sane start for SGD); a range test brackets the scale in one run; refine with a grid or log-uniform random search scored on validation data (cross-validation for small data); hyperparameter optimisers (spearmint, hyperopt) automate it. | 06, 09 |
| Small values avoid overshooting — how do I avoid getting stuck or crawling? | Use the largest rate that is stable (the best is usually just below it); diagnose "too low" by a slow straight loss curve and updates ≪ 1e-3 of the weights (a loss flat for several epochs: raise the rate 10x briefly — if it falls, the rate was too low, if not the run is stuck), "too high" by oscillation, spikes, NaN (or a division by zero / log of zero). Large rates also steer away from sharp minima. | 02, 07, 09 |
| Constant, or changed as training approaches a minimum? | With minibatch noise a constant rate stalls on a noise floor: anneal it (step ÷10 on plateaus, exponential, 1/t, cosine), possibly after a warm-up; Adagrad's built-in $1/\sqrt t$ is one automatic version. | 03, 04, 05 |
| In short: how do I choose the learning rate for SGD? | Follow the recipe above: log-scale bracket with a range test, validate a few candidates, train near the highest stable rate, decay it, and watch the loss and the update ratio. | 09 |

## From lrlab to your framework

Every rule and schedule of the course has an `lrlab` name; most have a PyTorch counterpart
with the same update and the same defaults (the PyTorch column is each object's own
`.torch` text). Keras and optax names are given where they exist — their defaults often
*differ* (Keras uses `epsilon=1e-7`, Adagrad starts its accumulator at 0.1, Adadelta uses
`rho=0.95` and a learning rate of 0.001), so copy the values, not just the names. (Keras 3
and optax 0.2 names; check your version's documentation.)
"""),
    code(TABLE_CODE.strip("\n") + r"""

from IPython.display import Markdown

Markdown(table_md)
"""),
    code(r"""
# Every public rule and schedule factory of lrlab appears in the table.
covered = {call.split("(")[0].split(".")[-1] for call, *_ in RULE_ROWS + SCHEDULE_ROWS}
helpers = {"chain", "trace", "scale_by_lr", "add_decayed_weights", "as_schedule", "lr_value",
           "per_coord", "run_shape", "effective_lr"}
rule_factories = {n for n in rules.__all__ if n.islower() and n not in helpers}
schedule_factories = {n for n in schedules.__all__ if n.islower()}
missing = (rule_factories | schedule_factories | set(linesearch.__all__)) - covered
print("rules:", len(rule_factories), " schedules:", len(schedule_factories),
      " line-search rules:", len(linesearch.__all__), " missing:", sorted(missing))
assert not missing
""" + "\n" + CHECK),
    md(r"""
### Check yourself
"""),
    code(r"""
widgets.quiz(
    "You search the learning rate and the momentum with a budget of 16 training runs. "
    "Which design tries the most distinct learning rates?",
    answer="16 log-uniform random points",
    options=["a 4 x 4 grid", "16 log-uniform random points", "both try the same number"],
    explanation="A 4 x 4 grid tries each of its 4 learning rates 4 times "
                "(once per momentum); "
                "random points never repeat a value on either axis (Bergstra & Bengio 2012).")
"""),
    md(r"""
## Takeaways

* Choose the learning rate on a log scale; bracket it with a range test, refine it with a few runs scored on validation data, train near the largest stable rate and decay it.
* When several hyperparameters are searched, log-uniform random search covers the learning-rate axis better than a grid of the same size; Bayesian optimisers (spearmint, hyperopt) build on that.
* The update-to-parameter ratio (~1e-3, per layer) catches orders-of-magnitude mistakes; it is not an optimality criterion.
* Adaptive rules, line searches and learning-rate-free methods reduce the sensitivity to the choice; none removes it entirely.
* PyTorch's defaults match lrlab's; Keras and optax use the same ideas with different names and often different defaults.

## References

* J. Bergstra and Y. Bengio (2012). *Random search for hyper-parameter optimization.* JMLR 13.
* J. Snoek, H. Larochelle and R. P. Adams (2012). *Practical Bayesian optimization of machine learning algorithms.* NeurIPS (spearmint).
* J. Bergstra, D. Yamins and D. Cox (2013). *Making a science of model search: hyperparameter optimization in hundreds of dimensions for vision architectures.* ICML (hyperopt).
* A. Karpathy et al. *CS231n: Convolutional Neural Networks for Visual Recognition*, course notes "Neural Networks Part 3: learning and evaluation" (the ratio of updates to weights, ~1e-3).
* Y. Bengio (2012). *Practical recommendations for gradient-based training of deep architectures.* In *Neural Networks: Tricks of the Trade*, 2nd ed., Springer.
* L. N. Smith (2017). *Cyclical learning rates for training neural networks.* WACV.
* A. Ng (2011). *CS294A Lecture notes: Sparse autoencoder*, Stanford.
* PyTorch documentation: `torch.optim`, `torch.optim.lr_scheduler`. Keras documentation: `keras.optimizers`, `keras.optimizers.schedules`. Optax documentation: optimizers and schedules.
"""),
]

NOTEBOOKS_PART2 = {
    "05_adaptive_rates": NB05,
    "06_lr_range_test": NB06,
    "07_sharp_and_flat_minima": NB07,
    "08_curvature_and_line_search": NB08,
    "09_choosing_in_practice": NB09,
}


def rule_table_markdown() -> str:
    """The rule/schedule table of notebook 09, as a Markdown document (docs/rule_table.md)."""
    namespace: dict = {}
    exec(TABLE_CODE, namespace)
    return ("# lrlab rules and schedules in PyTorch, Keras and optax\n\n"
            "Generated by `notebooks/_build/build_part2.py` from the table of notebook "
            "`09_choosing_in_practice` (the PyTorch column is each lrlab object's `.torch` "
            "text). Keras and optax defaults often differ from PyTorch's: copy the values, not "
            "just the names. Names as of Keras 3 and optax 0.2.\n\n" + namespace["table_md"] + "\n")
