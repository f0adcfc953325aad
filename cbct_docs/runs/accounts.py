"""Who may use the web app: accounts with a hashed password, in the office database."""

from __future__ import annotations

import re

from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import UsageError
from ..store import accounts as store
from .office import OfficeFolder

MIN_PASSWORD = 10
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
#: Checked against when a name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY = generate_password_hash("cbct-docs: no such account")


def add_account(office: OfficeFolder, name: str, password: str) -> bool:
    """Create an account (or set a new password); True when it is new."""
    if not _NAME.match(name):
        raise UsageError(f"'{name}' is not a usable account name",
                         hint="letters, digits and . _ @ -, at most 64")
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password is shorter than {MIN_PASSWORD} characters")
    return store.set_password_hash(office.database(), name, generate_password_hash(password))


def check_login(office: OfficeFolder, name: str, password: str) -> str | None:
    """The account's name when the password is right, else None."""
    found = store.password_hash(office.database(), name.strip())
    if found is None:
        check_password_hash(_DUMMY, password)
        return None
    stored_name, hashed = found
    return stored_name if check_password_hash(hashed, password) else None


def accounts(office: OfficeFolder) -> list[str]:
    return store.account_names(office.database())


def remove_account(office: OfficeFolder, name: str) -> bool:
    return store.remove(office.database(), name)
