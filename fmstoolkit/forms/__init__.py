"""One declarative definition per form (fields, labels, choices, rules): see
:mod:`fmstoolkit.forms.definitions`. The ways out render them: :mod:`fmstoolkit.ui.forms` as
ipywidgets, the assistant as a chat."""
