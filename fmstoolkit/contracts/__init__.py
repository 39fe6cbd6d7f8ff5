"""The contract and the NDA of each mission (issue 16): made from the agency's templates as
PDFs, sent, signed, and warned about when a mission starts soon without them.

- :mod:`.render`: the Jinja2 HTML templates (the agency's own copy first, else the shipped
  ones) and WeasyPrint, which makes the PDF;
- :mod:`.documents`: the ``documents`` table and its lifecycle, draft → sent → signed, the
  missions due, and what ``fms privacy forget`` does with them.

Sending is an action (:mod:`fmstoolkit.actions.paperwork`): it spans the domain and the outbox.
"""

from __future__ import annotations

from .documents import (
    KINDS,
    attach_message,
    document,
    draft,
    due,
    forget_documents,
    kind_word,
    list_documents,
    mark_sent,
    missing_words,
    nda_sentence,
    path_of,
    record_signed,
    record_signed_copy,
    remove_files,
)
from .render import agency_folder, copy_templates, shipped_templates

__all__ = [
    "KINDS",
    "agency_folder",
    "attach_message",
    "copy_templates",
    "document",
    "draft",
    "due",
    "forget_documents",
    "kind_word",
    "list_documents",
    "mark_sent",
    "missing_words",
    "nda_sentence",
    "path_of",
    "record_signed",
    "record_signed_copy",
    "remove_files",
    "shipped_templates",
]
