"""Evaluation-metric engines: plain Python math and no Django. The silhouette alone uses numpy:
its 25 million pairwise distances at 5,000 points are too many for plain Python to answer within
a second (bench/metrics_bench.py measures both).

Each module takes tuples of floats and returns a frozen dataclass. Input no calculation can
satisfy raises calculators.engine.InputError naming the parameter to change.
"""
