"""The manager's apps: notebook widgets, charts and forms (served by Voila, see
:mod:`fmstoolkit.apps_server`).

Opening an app starts a fresh kernel that imports plotly's FigureWidget; plotly imports nbformat,
nbformat imports jsonschema, and jsonschema, when ``rfc3987-syntax`` is installed (Jupyter
installs it through ``jsonschema[format-nongpl]``), builds that package's 38 lark parsers at
import time to check the "iri" string format: 5.5 of the 12 s the planning app took to open on
the CI machine (``benchmarks/bench_apps_browser.py``), for a check nothing in an app's kernel
runs (plotly validates figures itself, nbformat is only asked for its version). So, unless
something in the process imported it already, the package is marked absent here, before any
app module imports plotly: jsonschema then skips the "iri" format, as it does when the package
is not installed. Only the processes that import :mod:`fmstoolkit.ui` are concerned.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
