"""Worked examples used across the course: the digits network (:mod:`lrlab.examples.digits`).

>>> from lrlab.examples import running_example
>>> running_example().network.name
'MLP 64-128-64-10 leaky_relu'
"""

from .digits import RunningExample, digits_network, running_example

__all__ = ["RunningExample", "digits_network", "running_example"]
