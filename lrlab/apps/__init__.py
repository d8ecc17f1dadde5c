"""lrlab's interactive apps, one module each; :mod:`lrlab.widgets` is the public entry."""
