"""The office folder: settings, database and the office's own files in one place.

Every command finds it the same way: ``--office DIR``, else ``$CBCT_OFFICE``, else the
working folder. The settings are ``cbct-docs.toml`` there (or ``--config``), the database
``cbct-ledger.sqlite`` there (or ``$CBCT_LEDGER``), the register ``register.xlsx`` there
when no other is named.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..deliver.ledger import DEFAULT_NAME, office_folder
from ..documents.context import SETTINGS_NAME, Office, load_office
from ..domain.register import Organisation, read_register
from ..errors import UsageError
from ..paths import templates_dir
from ..render.lookup import use_office_templates
from ..settings import EnvelopeWindow
from ..store.database import database_path, get_meta, guarded, open_database, set_meta
from ..store.dossiers import Change, load_organisations, store_register

REGISTER_NAME = "register.xlsx"


def current_user() -> str:
    """Who records the events: ``$CBCT_USER``, else the login name."""
    try:
        return os.environ.get("CBCT_USER") or getpass.getuser()
    except (KeyError, OSError):  # no login name (a service account without one)
        return "onbekend"


@dataclass
class OfficeFolder:
    folder: Path
    config: Path | None = None
    user: str = field(default_factory=current_user)
    new_database_ok: bool = False
    example_settings: bool = False  # the demo: fall back to the example office
    database_file: Path | None = None  # the demo's own database, never the office's
    _db: sqlite3.Connection | None = field(default=None, repr=False)

    @property
    def database_path(self) -> Path:
        return self.database_file or database_path(self.folder)

    @property
    def settings_path(self) -> Path | None:
        if self.config is not None:
            return self.config
        local = self.folder / SETTINGS_NAME
        return local if local.is_file() else None

    def letterhead(self) -> Office:
        """The office's settings; its own templates are put in use for this process."""
        office = load_office(self.settings_path, example_fallback=self.example_settings)
        office = replace(office, templates=office.templates or self.default_templates())
        use_office_templates(office.templates)
        return office

    def default_templates(self) -> Path | None:
        """``templates/`` in the office folder, when it exists (and is not the bundled one)."""
        folder = self.folder / "templates"
        if folder.is_dir() and folder.resolve() != templates_dir().resolve():
            return folder
        return None

    @property
    def templates(self) -> Path | None:
        """The office's own templates folder: ``[documents] templates`` in the settings,
        else ``templates/`` in the office folder when it exists."""
        return self.templates_setting(must_exist=True) or self.default_templates()

    def templates_setting(self, *, must_exist: bool) -> Path | None:
        """``[documents] templates`` as a path (None when not set)."""
        from ..documents.context import own_templates_setting
        from ..settings import load_settings

        settings = load_settings(self.settings_path)
        where = settings.source or self.folder / SETTINGS_NAME
        return own_templates_setting(settings, where, must_exist=must_exist)

    def window(self) -> EnvelopeWindow:
        """Where the address goes in a letter: ``[print]`` of the office's settings."""
        from ..settings import load_settings

        return load_settings(self.settings_path).window()

    def database(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = open_database(self.database_path, new_ok=self.new_database_ok)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def import_register(self, path: Path) -> list[Change]:
        """Read a register into the database; what changed (all problems at once)."""
        orgs = read_register(path)
        with guarded(self.database_path):
            changes = store_register(self.database(), orgs)
            set_meta(self.database(), REGISTER_SEEN, _fingerprint(path))
        return changes

    def organisations(self, register: Path | None = None) -> tuple[list[Organisation],
                                                                   list[Change]]:
        """The organisations as the database has them, after taking in ``register`` when
        given, or ``register.xlsx`` of the office folder when it changed since it was
        last read."""
        changes: list[Change] = []
        default = self.folder / REGISTER_NAME
        if register is None:
            with guarded(self.database_path):
                seen = get_meta(self.database(), REGISTER_SEEN)
            if default.is_file() and seen != _fingerprint(default):
                register = default
        if register is not None:
            # Imported only then: it records what changed in the dossiers, and brings
            # the record and audit operations with it (~13 ms of a command's start).
            from .register import import_register

            changes = import_register(self, register)
        with guarded(self.database_path):
            orgs = load_organisations(self.database())
        if not orgs:
            raise UsageError("the office database has no organisations yet",
                             location=self.database_path,
                             hint="read the register in: cbct-docs register import "
                                  "register.xlsx (or pass --register FILE)")
        return orgs, changes


#: office_meta key: the fingerprint of the office's register.xlsx when it was last read.
REGISTER_SEEN = "register_fingerprint"


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def open_office(folder: Path | None = None, config: Path | None = None, *,
                user: str | None = None, new_database_ok: bool = False,
                example_settings: bool = False, templates: bool = True) -> OfficeFolder:
    """The office folder named (``--office``), else ``$CBCT_OFFICE``, else the folder of
    the settings file given (``--config``), else the working folder. A folder named on the
    command line brings its own database; otherwise ``$CBCT_LEDGER`` may name the
    database file."""
    chosen = folder or office_folder(config)
    if not chosen.is_dir():
        raise UsageError("the office folder does not exist", location=chosen,
                         hint="give --office DIR (the folder with cbct-docs.toml)")
    own = chosen / DEFAULT_NAME if folder is not None else None
    office = OfficeFolder(chosen, config, user or current_user(), new_database_ok,
                          example_settings, own)
    if templates:  # every command: the office's own templates and envelope window
        from ..render.window import use_window

        use_office_templates(office.templates)
        use_window(office.window())
    return office
