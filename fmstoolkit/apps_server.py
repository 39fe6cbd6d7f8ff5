"""The manager's apps: the notebooks of ``notebooks/`` served by Voila with no code shown.

Why Voila: it is the Jupyter project's own way to turn an ipywidgets notebook into a web app
(it runs the notebook in a kernel, strips the input cells and keeps the widgets live), so the
apps are the very notebooks the tests run, with nothing to build.

``fms app NAME`` serves one app; ``make run`` (``scripts/run.sh``) serves the folder, one URL per
app (``/voila/render/NAME.ipynb``). The port is ``FMS_APPS_PORT``; a port already taken is said
in a sentence naming that setting before anything starts.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from .config import get_settings
from .errors import InvalidInput, NotFound
from .i18n import N_, _

#: The apps, in the order a manager meets them.
APPS = ("home", "planning", "offboarding", "paperwork", "pool")
HOST = "127.0.0.1"


def notebooks_dir() -> Path:
    """The apps' folder: ``notebooks/`` of the project root."""
    return get_settings().home / "notebooks"


def app_url(name: str, port: int | None = None, host: str = HOST) -> str:
    """Where the Voila server of ``make run`` shows app ``name``."""
    port = port or get_settings().apps_port
    return f"http://{host}:{port}/voila/render/{name}.ipynb"


def datasette_url(path: str = "notes", port: int | None = None, host: str = HOST) -> str:
    """A page of the Datasette that ``make run`` starts (``FMS_DATASETTE_PORT``)."""
    port = port or get_settings().datasette_port
    return f"http://{host}:{port}/{path.lstrip('/')}"


def check_port_free(port: int, setting: str, host: str = HOST) -> None:
    """Raise the sentence naming ``setting`` when ``port`` is already taken on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            raise InvalidInput(
                "Port {port} is already in use (another program, or fmstoolkit already "
                "running): set {setting} in the environment or in the .env file to a free port.",
                field=setting, port=port, setting=setting,
            ) from None  # fmt: skip


def voila_command(target: Path, port: int) -> list[str]:
    """The Voila command line serving ``target`` (one notebook or the folder) on loopback."""
    return [
        sys.executable, "-m", "voila", str(target), "--no-browser", f"--port={port}",
        f"--Voila.ip={HOST}", "--theme=light", "--VoilaConfiguration.show_tracebacks=False",
    ]  # fmt: skip


def app_notebook(name: str) -> Path:
    """The notebook of app ``name``; the sentence listing the apps when it is not one."""
    path = notebooks_dir() / f"{name}.ipynb"
    if name not in APPS or not path.is_file():
        raise NotFound("There is no app named '{name}': the apps are {apps}.", field="name",
                       name=name, apps=", ".join(APPS))  # fmt: skip
    return path


def serve(name: str | None, port: int | None = None) -> int:
    """Serve app ``name`` (or every app when None) until Ctrl+C; the exit code of Voila."""
    settings = get_settings()
    port = port or settings.apps_port
    target = app_notebook(name) if name else notebooks_dir()
    check_port_free(port, "FMS_APPS_PORT")
    env = os.environ | {"FMS_HOME": str(settings.home)}
    proc = subprocess.Popen(voila_command(target, port), env=env)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return proc.wait()


def check_ports(pairs: list[str]) -> int:
    """``scripts/run.sh``'s check before starting anything: each ``SETTING=PORT`` free, else the
    sentence on stderr and exit code 2 (the CLI's convention)."""
    for pair in pairs:
        setting, _sep, port = pair.partition("=")
        try:
            check_port_free(int(port), setting)
        except InvalidInput as exc:
            print(exc.message(), file=sys.stderr)
            return exc.exit_code
    return 0


#: What ``make run`` prints once everything is started: each app and page with its URL.
BANNER = (
    ("home", N_("Today (start here)")),
    ("planning", N_("Planning (staff a request)")),
    ("offboarding", N_("Offboarding (close a mission)")),
    ("paperwork", N_("Paperwork (contracts, NDAs, payments)")),
    ("pool", N_("Talent pool (search, profiles)")),
)


def banner(telegram: bool) -> str:
    """The lines ``make run`` prints, in the settings' language (``FMS_LANG``)."""
    s = get_settings()
    rows = [(_(label), app_url(name)) for name, label in BANNER]
    rows += [
        (_("JupyterLab (the notebooks' code)"), f"http://{HOST}:{s.lab_port}/lab"),
        (_("Datasette (collaboration notes)"), datasette_url()),
    ]
    width = max(len(label) for label, _url in rows) + 2
    lines = ["", _("fmstoolkit is running on {db}").format(db=s.db)]
    lines += [f"  {label + ':':<{width}} {url}" for label, url in rows]
    lines.append(
        "  " + (_("Assistant: running, with Telegram (log in .venv/assistant.log)") if telegram
                else _("Assistant: running, e-mail only (set FMS_TELEGRAM_TOKEN in .env for "
                       "Telegram; log in .venv/assistant.log)"))  # fmt: skip
    )
    lines.append(_("Logs in .venv/*.log. Press Ctrl+C to stop."))
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - called by scripts/run.sh
    if sys.argv[1:2] == ["--banner"]:
        print(banner(bool(get_settings().telegram_token)))
        raise SystemExit(0)
    raise SystemExit(check_ports(sys.argv[1:]))
