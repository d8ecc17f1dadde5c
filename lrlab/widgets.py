"""Interactive apps for the course: controls wired to views, for any notebook.

Each app is an object whose controls and views are attributes. Leave it last
in a cell to display it; set a control in code to drive it::

    app = lrlab.widgets.explorer_1d()
    app                      # shows sliders, a status line and the figure
    app.lr.value = 2.1       # the figure and status follow ("diverged at step ...")

Every app draws on one figure built once (see :mod:`lrlab.apps.render`): as PNG
images in an ``ipywidgets.Image`` by default (JupyterLab, Notebook 7, VS
Code, Voilà, nbval; no extension needed) or on ipympl's canvas after
``%matplotlib widget``. Pass ``backend='png'`` or ``'ipympl'`` to choose.

Apps
----
explorer_1d
    Gradient descent on a parabola or a curve: steps, cobweb, the three regimes.
explorer_2d
    Contours of any 2-D surface with the paths of one or several rules.
schedule_race
    Learning-rate schedules side by side on a stochastic problem.
noise_explorer
    Batch size and learning rate on a regression: the noise floor and its cure.
quiz
    A check-yourself question with instant feedback.
adaptive_rates
    Per-coordinate effective rates of Adagrad, RMSprop, Adam, ... on a tilted valley.
finder_replay
    Walk along an LR range test and see the model at each learning rate.
basin_explorer
    The sharp-vs-flat double well and the basin map of every start and rate.
linesearch_race
    1/L, exact and Armijo line search, Polyak, BB and L-BFGS, by evaluations.
tabs
    Several apps in the tabs of one widget (the Voila dashboard), with a picture
    of the first for a notebook viewed without a kernel.
"""

from __future__ import annotations

from .apps.adaptive import AdaptiveRates, adaptive_rates
from .apps.base import App, describe_run, lr_slider
from .apps.basins import BasinExplorer, basin_explorer
from .apps.explorer1d import Explorer1D, explorer_1d
from .apps.explorer2d import RULES, Explorer2D, explorer_2d, surface_names
from .apps.finder_replay import FinderReplay, finder_replay
from .apps.linesearch_race import LineSearchRace, linesearch_race
from .apps.noise import NoiseExplorer, gradient_noise_covariance, noise_explorer, noise_floor
from .apps.quiz import Quiz, quiz
from .apps.race import CONTESTANTS, ScheduleRace, default_data_problem, schedule_race
from .apps.tabs import Tabs, tabs

__all__ = [
    "CONTESTANTS",
    "RULES",
    "AdaptiveRates",
    "App",
    "BasinExplorer",
    "Explorer1D",
    "Explorer2D",
    "FinderReplay",
    "LineSearchRace",
    "NoiseExplorer",
    "Quiz",
    "ScheduleRace",
    "Tabs",
    "adaptive_rates",
    "basin_explorer",
    "default_data_problem",
    "describe_run",
    "explorer_1d",
    "explorer_2d",
    "finder_replay",
    "gradient_noise_covariance",
    "linesearch_race",
    "lr_slider",
    "noise_explorer",
    "noise_floor",
    "quiz",
    "schedule_race",
    "surface_names",
    "tabs",
]
