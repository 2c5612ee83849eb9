"""The permit officer's workflow on results: decisions on findings, BCF replies read back, and what
changed between two submissions (with the decisions that still apply carried forward).

Reads and writes results (dicts) and its own SQLite store; never the model, the rules or the reports'
internals. Reports show what it attaches to a result (the `review` block) and never import it.
"""

from permitcheck.review.decide import attach, record_decision
from permitcheck.review.results import LoadedResult, load, result_sha256

__all__ = ["LoadedResult", "attach", "load", "record_decision", "result_sha256"]
