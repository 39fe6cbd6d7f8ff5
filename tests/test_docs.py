"""The README is part of the feature: every command, option, setting and published table."""

from __future__ import annotations

from pathlib import Path

import click

from fmstoolkit.cli import cli
from fmstoolkit.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "fms") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        out.append((path, command))
        if isinstance(command, click.Group):
            out += _commands(command, path)
    return out


def test_every_command_is_documented():
    missing = [path for path, _ in _commands(cli) if path not in README]
    assert missing == []


def test_every_option_is_documented_and_has_help():
    undocumented, no_help = [], []
    for path, command in _commands(cli):
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            if not param.help:
                no_help.append(f"{path} {param.opts[0]}")
            if not any(opt in README for opt in param.opts):
                undocumented.append(f"{path} {param.opts[0]}")
    assert no_help == []
    assert undocumented == []


def test_every_setting_is_documented():
    missing = [f"FMS_{name.upper()}" for name in Settings.model_fields
               if f"FMS_{name.upper()}" not in README]
    assert missing == []


def test_every_published_table_is_documented(db, tmp_path):
    from fmstoolkit import demo, publish

    demo.generate(db, freelancers=20, seed=3)
    out = tmp_path / "notes.db"
    publish.publish(db, out=out)
    import sqlite_utils

    notes = sqlite_utils.Database(out)
    names = [
        t for t in notes.table_names() if not t.startswith(("_", "sqlite_")) and "_fts" not in t
    ]
    names += notes.view_names()
    missing = [name for name in names if f"`{name}`" not in README]
    notes.close()
    assert missing == []
