"""The notes site's pages as a project lead reads them (a Datasette plugin, :mod:`.pages`).

A package of its own, beside :mod:`fmstoolkit.serve`, so that Datasette can load it through
the package's ``datasette`` entry point (any Datasette where fmstoolkit is installed, a
``datasette publish`` deployment too) without importing ``serve``, which imports Datasette's
application while Datasette is still loading its plugins.
"""
