"""Settings from ``cbct-docs.toml``: the SMTP server, the sender, and other modules' sections.

Search order: an explicit path (``--config FILE``), else ``$CBCT_CONFIG``, else
``./cbct-docs.toml``, else only the packaged defaults (``cbct_docs/data/cbct-docs.toml``).
The file found is laid over the packaged defaults key by key, so a user file needs only the
keys it changes. Any module can read its own section: ``load_settings()["letterhead"]``.

SMTP values can also come from the environment (``CBCT_SMTP_HOST``, ``_PORT``,
``_SECURITY``, ``_USER``), which wins over the file. The password is never read from a
file: only ``CBCT_SMTP_PASSWORD`` or a prompt. ``[mail]`` (:meth:`Settings.mail`) chooses the
route (smtp, smtp-oauth2, graph) and names the Microsoft 365 app registration; its secret
never comes from a file either (see :mod:`cbct_docs.deliver.oauth`). ``[print]``
(:meth:`Settings.window`) places the address in the window of the office's envelopes.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DataError, Problems, UsageError
from .paths import data_dir

FILE_NAME = "cbct-docs.toml"
SECURITY_MODES = ("starttls", "ssl", "none")


def default_settings_path() -> Path:
    return data_dir() / FILE_NAME


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str
    timeout: float
    attempts: int
    backoff: float
    max_backoff: float
    rate: float  # messages per minute, 0 = unlimited
    cafile: str = ""  # CA certificates to trust (an internal CA); empty: the system's


ROUTES = ("smtp", "smtp-oauth2", "graph")
SIGN_INS = ("app", "user")
#: Keys that would hold a secret: refused in [mail], whose secrets come from the
#: environment (CBCT_MAIL_CLIENT_SECRET, CBCT_MAIL_CLIENT_CERT) or the OS keyring.
SECRET_KEYS = ("password", "secret", "client_secret", "certificate", "private_key", "token")


@dataclass(frozen=True)
class MailSettings:
    """``[mail]``: the route the e-mails take (see :mod:`cbct_docs.deliver.routes`)."""

    route: str  # smtp | smtp-oauth2 | graph
    mailbox: str  # the Microsoft 365 mailbox that sends (a user or a shared mailbox)
    tenant: str  # the directory (tenant) id of the app registration
    client_id: str  # the application (client) id
    sign_in: str  # app: client credentials; user: a person signs in once (device code)
    authority: str  # the sign-in service, without the tenant
    graph: str  # Microsoft Graph's base URL
    cafile: str = ""  # CA certificates for the sign-in service and Graph (a proxy's CA)
    token_cache: str = ""  # where a person's sign-in is kept; empty: the user's cache folder

    @property
    def oauth(self) -> bool:
        return self.route != "smtp"


@dataclass(frozen=True)
class EnvelopeWindow:
    """``[print]``: the window of the office's window envelope on the letter, in mm from
    the top left corner of the A4 page. The default is the standard Dutch window envelope
    for A4 folded in three (EA5/6 and 22 x 11 cm with the window on the left): 20 mm from
    the left, 45 mm from the top, 90 x 40 mm."""

    links: float = 20.0
    boven: float = 45.0
    breedte: float = 90.0
    hoogte: float = 40.0


PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0  # A4, mm
#: ``[print]`` key → (attribute, smallest, largest) in mm; further limits in :func:`_window`.
WINDOW_KEYS = {
    "venster_links": ("links", 5.0, PAGE_WIDTH - 5.0),
    "venster_boven": ("boven", 30.0, PAGE_HEIGHT / 2),
    "venster_breedte": ("breedte", 60.0, 150.0),
    "venster_hoogte": ("hoogte", 30.0, 80.0),
}


def is_loopback(host: str) -> bool:
    """localhost, 127.x.x.x or ::1: traffic that never leaves this machine."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class Settings(Mapping[str, Any]):
    """The merged settings; a mapping of section name → dict, plus typed views."""

    def __init__(self, data: Mapping[str, Any], source: Path | None) -> None:
        self._data = dict(data)
        self.source = source  # the user's file, None when only defaults apply

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def section(self, name: str) -> dict[str, Any]:
        """A section as a dict; empty when the files do not have it."""
        value = self._data.get(name, {})
        if not isinstance(value, dict):
            raise DataError(f"[{name}] must be a table", location=self._where())
        return value

    def _where(self, key: str = "") -> str:
        origin = str(self.source or default_settings_path())
        return f"{origin}:{key}" if key else origin

    @property
    def sender(self) -> str:
        """``Name <address>`` from ``[sender]`` (``name``, ``email``), for the From: header."""
        section = self.section("sender")
        name, email = str(section.get("name", "")).strip(), str(section.get("email", "")).strip()
        if not email:
            raise DataError("[sender] email is missing", location=self._where(),
                            hint='add [sender] with name = "..." and email = "..."')
        return f"{name} <{email}>" if name else email

    @property
    def reply_to(self) -> str | None:
        """``[sender] reply_to``, when answers should go elsewhere than the sender."""
        return str(self.section("sender").get("reply_to", "")).strip() or None

    def smtp(self, environ: Mapping[str, str] | None = None) -> SmtpSettings:
        """SMTP settings, the environment (``CBCT_SMTP_*``) over the file."""
        environ = os.environ if environ is None else environ
        values = dict(self.section("smtp"))
        if "password" in values:
            raise UsageError("a password does not belong in the settings file",
                             location=self._where("smtp.password"),
                             hint="remove it; set CBCT_SMTP_PASSWORD or let cbct-docs ask")
        self._from_env: set[str] = set()
        for key in ("host", "port", "security", "user"):
            env_value = environ.get(f"CBCT_SMTP_{key.upper()}")
            if env_value is not None:
                values[key] = env_value
                self._from_env.add(key)
        security = str(values.get("security", "starttls")).lower()
        if security not in SECURITY_MODES:
            raise DataError(f"security must be one of {', '.join(SECURITY_MODES)}, "
                            f"not {security!r}", location=self._key_origin("security"))
        host = str(values.get("host", "localhost"))
        user = str(values.get("user", ""))
        if user and security == "none" and not is_loopback(host):
            # Without TLS the password would cross the network readable to anyone on it.
            raise UsageError(f"a login as {user!r} needs TLS: security is \"none\" and "
                             f"{host} is not this machine",
                             location=self._key_origin("security"),
                             hint='set security = "starttls" or "ssl" in [smtp]')
        return SmtpSettings(
            host=host,
            port=self._number(values, "port", int, 587),
            security=security,
            user=user,
            timeout=self._number(values, "timeout", float, 30.0),
            attempts=max(1, self._number(values, "attempts", int, 5)),
            backoff=self._number(values, "backoff", float, 30.0),
            max_backoff=self._number(values, "max_backoff", float, 600.0),
            rate=self._number(values, "rate", float, 0.0),
            cafile=self._cafile(values),
        )

    def mail(self, environ: Mapping[str, str] | None = None) -> MailSettings:
        """``[mail]``, with ``CBCT_MAIL_ROUTE`` and ``CBCT_MAIL_MAILBOX`` over the file.

        No secret is read here: a key that would hold one is refused."""
        environ = os.environ if environ is None else environ
        values = dict(self.section("mail"))
        for key in values:
            if key.lower() in SECRET_KEYS or "secret" in key.lower():
                raise UsageError("a secret does not belong in the settings file",
                                 location=self._where(f"mail.{key}"),
                                 hint="remove it; set CBCT_MAIL_CLIENT_SECRET (or "
                                 "CBCT_MAIL_CLIENT_CERT), or store it in the OS keyring")
        for key in ("route", "mailbox"):
            if environ.get(f"CBCT_MAIL_{key.upper()}"):
                values[key] = environ[f"CBCT_MAIL_{key.upper()}"]
        route = str(values.get("route", "smtp")).strip().lower()
        if route not in ROUTES:
            raise DataError(f"route must be one of {', '.join(ROUTES)}, not {route!r}",
                            location=self._where("mail.route"))
        sign_in = str(values.get("sign_in", "app")).strip().lower()
        if sign_in not in SIGN_INS:
            raise DataError(f"sign_in must be app or user, not {sign_in!r}",
                            location=self._where("mail.sign_in"))
        mailbox = str(values.get("mailbox", "")).strip()
        if not mailbox and route != "smtp":
            mailbox = str(self.section("sender").get("email", "")).strip()
        settings = MailSettings(
            route=route, mailbox=mailbox,
            tenant=str(values.get("tenant", "")).strip(),
            client_id=str(values.get("client_id", "")).strip(),
            sign_in=sign_in,
            authority=str(values.get("authority") or "https://login.microsoftonline.com"
                          ).rstrip("/"),
            graph=str(values.get("graph") or "https://graph.microsoft.com/v1.0").rstrip("/"),
            cafile=self._cafile(values, "mail"),
            token_cache=self._relative(str(values.get("token_cache", "") or "")),
        )
        if settings.oauth:
            missing = [k for k in ("mailbox", "tenant", "client_id") if not getattr(settings, k)]
            if missing:
                raise DataError(f"route {route!r} needs {', '.join(missing)} in [mail]",
                                location=self._where("mail"),
                                hint="the values of the app registration: see "
                                "docs/delivery.md, 'Microsoft 365'")
        return settings

    def window(self) -> EnvelopeWindow:
        """``[print]`` ``venster_links``, ``venster_boven``, ``venster_breedte`` and
        ``venster_hoogte`` (mm): where the address goes; every wrong value is a located
        error, all at once."""
        import difflib

        values = self.section("print")
        problems = Problems()
        found: dict[str, float] = {}
        for key in values:
            if key not in WINDOW_KEYS:
                close = difflib.get_close_matches(key, WINDOW_KEYS, n=1)
                problems.add(DataError("not a setting of [print]",
                                       location=self._where(f"[print]:{key}"),
                                       hint=f"did you mean {close[0]}?" if close else
                                       f"[print] has {', '.join(WINDOW_KEYS)}"))
        for key, (attribute, low, high) in WINDOW_KEYS.items():
            if key not in values:
                continue
            with problems.catch():
                found[attribute] = self._millimetres(values[key], key, low, high)
        problems.raise_if_any()
        window = EnvelopeWindow(**found)
        if window.links + window.breedte > PAGE_WIDTH - 5:
            raise DataError(f"the window ends {window.links + window.breedte:g} mm from the "
                            f"left, past the edge of the A4 page ({PAGE_WIDTH:g} mm wide, "
                            "5 mm the printer cannot reach)",
                            location=self._where("[print]:venster_breedte"),
                            hint="venster_links + venster_breedte must be at most 205")
        if window.boven + window.hoogte > PAGE_HEIGHT / 2:
            raise DataError(f"the window ends {window.boven + window.hoogte:g} mm from the "
                            "top, below the upper half of the page where a window "
                            "envelope shows the address",
                            location=self._where("[print]:venster_hoogte"),
                            hint="venster_boven + venster_hoogte must be at most 148")
        return window

    def _millimetres(self, value: Any, key: str, low: float, high: float) -> float:
        where = self._where(f"[print]:{key}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise DataError(f"expected a number of millimetres, not {value!r}", location=where,
                            hint=f"for example {key} = {_default_mm(key):g}")
        if not low <= value <= high:
            raise DataError(f"{value:g} mm is not between {low:g} and {high:g} mm",
                            location=where,
                            hint=f"the standard window envelope: {key} = {_default_mm(key):g}")
        return float(value)

    def _relative(self, path: str) -> str:
        if path and self.source is not None and not Path(path).is_absolute():
            return str(self.source.parent / path)  # relative to the settings file
        return path

    def _cafile(self, values: Mapping[str, Any], section: str = "smtp") -> str:
        cafile = self._relative(str(values.get("cafile", "") or ""))
        if cafile and not Path(cafile).is_file():
            raise DataError(f"CA file not found: {cafile}",
                            location=self._where(f"{section}.cafile"))
        return cafile

    def _key_origin(self, key: str) -> str:
        if key in getattr(self, "_from_env", ()):
            return f"environment variable CBCT_SMTP_{key.upper()}"
        return self._where(f"smtp.{key}")

    def _number(self, values: Mapping[str, Any], key: str, kind: type, default: Any) -> Any:
        value = values.get(key, default)
        try:
            number = kind(value)
        except (TypeError, ValueError):
            raise DataError(f"expected a number, not {value!r}",
                            location=self._key_origin(key)) from None
        if number < 0:
            raise DataError(f"must not be negative: {value!r}", location=self._key_origin(key))
        return number


def _default_mm(key: str) -> float:
    return float(getattr(EnvelopeWindow(), WINDOW_KEYS[key][0]))


def load_settings(path: str | Path | None = None) -> Settings:
    """Read the settings (search order in the module docstring)."""
    defaults = _read(default_settings_path())
    chosen: Path | None = None
    if path is not None:
        chosen = Path(path)
        if not chosen.is_file():
            raise UsageError("settings file not found", location=chosen)
    elif os.environ.get("CBCT_CONFIG"):
        chosen = Path(os.environ["CBCT_CONFIG"])
        if not chosen.is_file():
            raise UsageError("settings file named by CBCT_CONFIG not found", location=chosen)
    elif Path(FILE_NAME).is_file():
        chosen = Path(FILE_NAME)
    data = _merge(defaults, _read(chosen)) if chosen else defaults
    settings = Settings(data, chosen)
    settings.window()  # a wrong [print] value stops every command, located, at once
    return settings


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise UsageError(f"cannot read settings: {error.strerror}", location=path) from None
    except tomllib.TOMLDecodeError as error:
        raise DataError(f"not valid TOML: {error}", location=path) from None


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
