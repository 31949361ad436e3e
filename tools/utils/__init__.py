"""Code that only mmbbn's tools use (config overrides, runs, records, plots).

Tools import it with the ``tools`` folder on ``sys.path`` (each tool puts
it there), so it works from a clone, from ``mim``'s ``.mim/tools`` copy
and in the tests alike.
"""
