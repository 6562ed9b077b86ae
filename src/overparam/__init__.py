"""overparam: a reproducible replication pipeline for three over-parameterisation papers.

The package holds the math (kernels written against an array namespace ``xp``), the statistics (fits,
verdicts) and the plotting; Snakemake only orders the jobs.
"""

__version__ = "0.1.0"
