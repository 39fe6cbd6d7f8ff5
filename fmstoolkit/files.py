"""The files a manager gives the toolkit and the files it keeps: one way to read them and one
way to write them.

- :func:`read_given`: the bytes of a file named by the manager (an invoice, a signed contract),
  or one sentence naming the file when it cannot be read;
- :func:`write_private`: a file readable by its owner only (``0600``), whatever the umask, since
  these files hold personal data (names, terms of a mission, IBANs). ``new=True`` refuses to
  replace a file already there (the documents folder never loses a file by a name clash).
"""

from __future__ import annotations

import os
from pathlib import Path

from .db import PRIVATE_MODE
from .errors import InvalidInput


def read_given(file: str | Path) -> bytes:
    """The bytes of ``file``, or one sentence (field ``file``) when it cannot be read."""
    try:
        return Path(file).read_bytes()
    except OSError as exc:
        raise InvalidInput("The file {name} cannot be read: check its name.", field="file",
                           name=str(file)) from exc  # fmt: skip


def write_private(path: Path, data: bytes, *, new: bool = False) -> Path:
    """Write ``data`` to ``path`` (its folder made if needed), readable by its owner only;
    ``new``: refuse (FileExistsError) to replace an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if new else os.O_TRUNC)
    fd = os.open(path, flags, PRIVATE_MODE)
    os.fchmod(fd, PRIVATE_MODE)  # an existing file keeps its mode otherwise
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return path
