"""Insight into retention: does closing the loop keep customers (loop), and where retention effort goes (fit).
The figures are computed by `services.compute_insight` (the daily refresh, or `feedback retention
refresh`) and stored as RetentionFigure rows `loop:all` and `fit:all`, which the pages and commands read."""
