"""Benchmarks: ratios measured in one run, printed as Markdown tables (``make bench``)."""
