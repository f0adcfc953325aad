"""OAuth2 access tokens for Microsoft 365 (SMTP XOAUTH2 and Graph), through MSAL.

Two ways to sign in (``[mail] sign_in``):

``app``
    the client-credentials flow of an app registration: tenant id and client id in
    ``[mail]``; its secret from ``CBCT_MAIL_CLIENT_SECRET``, or a certificate (a PEM file
    with the private key and the certificate) named by ``CBCT_MAIL_CLIENT_CERT``, or the
    secret in the OS keyring (service ``cbct-docs``, user ``TENANT/CLIENT_ID``; needs the
    ``keyring`` package). Never from the settings file.
``user``
    a person signs in once (``cbct-docs mail login``, the device-code flow); the token
    cache (refresh token) is kept encrypted where msal-extensions can (DPAPI on Windows,
    the Keychain on macOS, libsecret on Linux), else in a file only its owner may read.

MSAL keeps the access token in its cache and gets a new one before the old one expires
(five minutes ahead), so a long run never sends with an expired token. No token or secret
is ever put into a message, an error or a log: errors say what to do.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..errors import DeliveryError, UsageError
from ..settings import MailSettings

SECRET_VARIABLE = "CBCT_MAIL_CLIENT_SECRET"
CERT_VARIABLE = "CBCT_MAIL_CLIENT_CERT"
CACHE_VARIABLE = "CBCT_MAIL_TOKEN_CACHE"
KEYRING_SERVICE = "cbct-docs"

#: What a token is for: (route, sign_in) → scopes.
SCOPES = {
    ("graph", "app"): ["https://graph.microsoft.com/.default"],
    ("graph", "user"): ["https://graph.microsoft.com/Mail.Send",
                        "https://graph.microsoft.com/Mail.Send.Shared"],
    ("smtp-oauth2", "app"): ["https://outlook.office365.com/.default"],
    ("smtp-oauth2", "user"): ["https://outlook.office.com/SMTP.Send"],
}

LOGIN_HINT = "sign in again: cbct-docs mail login"


def scopes_for(mail: MailSettings) -> list[str]:
    return SCOPES[(mail.route, mail.sign_in)]


def permission_hint(mail: MailSettings) -> str:
    """What the admin must grant when the service refuses the token."""
    if mail.route == "graph":
        if mail.sign_in == "app":
            return ("ask the admin for the application permission Mail.Send (Microsoft "
                    "Graph, with admin consent) for this app registration, and that an "
                    f"application access policy allows the mailbox {mail.mailbox}")
        return ("ask the admin for the delegated permission Mail.Send (and Mail.Send.Shared "
                f"with Send As rights for a shared mailbox) for {mail.mailbox}")
    if mail.sign_in == "app":
        return ("ask the admin for the application permission SMTP.SendAsApp (Office 365 "
                "Exchange Online), a service principal in Exchange with FullAccess to "
                f"{mail.mailbox}, and SMTP AUTH enabled for that mailbox")
    return (f"ask the admin to enable SMTP AUTH for {mail.mailbox} and the delegated "
            "permission SMTP.Send; or " + LOGIN_HINT)


def token_cache_path(mail: MailSettings, environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    if environ.get(CACHE_VARIABLE):
        return Path(environ[CACHE_VARIABLE])
    if mail.token_cache:
        return Path(mail.token_cache)
    if sys.platform == "win32":
        base = Path(environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cbct-docs" / "msal-token-cache.bin"


def _keyring_secret(mail: MailSettings) -> str | None:
    try:
        import keyring
    except ImportError:
        return None
    try:
        secret = keyring.get_password(KEYRING_SERVICE, f"{mail.tenant}/{mail.client_id}")
    except Exception:  # no usable keyring backend here: as if it held nothing
        return None
    return str(secret) if secret else None


def client_credential(mail: MailSettings, environ: Mapping[str, str] | None = None
                      ) -> str | dict[str, str]:
    """The app registration's secret or certificate: environment, else the OS keyring."""
    environ = os.environ if environ is None else environ
    if environ.get(CERT_VARIABLE):
        return _certificate(Path(environ[CERT_VARIABLE]))
    if environ.get(SECRET_VARIABLE):
        return environ[SECRET_VARIABLE]
    secret = _keyring_secret(mail)
    if secret:
        return secret
    raise UsageError(
        f"the app registration {mail.client_id} needs its client secret or certificate",
        hint=f"set {SECRET_VARIABLE} (or {CERT_VARIABLE}: a PEM file with the private key "
        f"and the certificate), or store the secret in the OS keyring (service "
        f"{KEYRING_SERVICE!r}, user '{mail.tenant}/{mail.client_id}'); never in "
        "cbct-docs.toml")


def _certificate(path: Path) -> dict[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    try:
        pem = path.read_bytes()
        certificate = x509.load_pem_x509_certificate(pem)
        key = serialization.load_pem_private_key(pem, password=None)
    except (OSError, ValueError, TypeError):
        raise UsageError(f"{CERT_VARIABLE} must name a PEM file with the private key and the "
                         "certificate (without a passphrase)", location=path) from None
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode("ascii")
    return {"private_key": key_pem,
            "thumbprint": certificate.fingerprint(hashes.SHA1()).hex()}


def _http_client(mail: MailSettings) -> Any:
    import requests

    session = requests.Session()
    if mail.cafile:
        session.verify = mail.cafile
    return session


class TokenSource:
    """Access tokens for one route; :meth:`token` gives one valid for a while yet."""

    def __init__(self, mail: MailSettings, environ: Mapping[str, str] | None = None) -> None:
        self.mail = mail
        self.scopes = scopes_for(mail)
        self.environ = os.environ if environ is None else environ
        self._app: Any = None
        self._persistence: Any = None
        self.encrypted = False

    @property
    def authority(self) -> str:
        return f"{self.mail.authority}/{self.mail.tenant}"

    def describe(self) -> str:
        if self.mail.sign_in == "app":
            return f"app registration {self.mail.client_id}, tenant {self.mail.tenant}"
        return f"signed in as a person (cbct-docs mail login), tenant {self.mail.tenant}"

    def check(self) -> None:
        """A :class:`UsageError` when the app registration's secret or certificate is
        missing (nothing is asked of the sign-in service yet)."""
        if self.mail.sign_in == "app":
            client_credential(self.mail, self.environ)

    def refused_hint(self) -> str:
        if self.mail.sign_in == "user":
            return f"the sign-in has expired or was withdrawn: {LOGIN_HINT}"
        return ("the token was refused: check that the app registration's secret or "
                f"certificate is current ({SECRET_VARIABLE}); " + permission_hint(self.mail))

    def _options(self) -> dict[str, Any]:
        return {"authority": self.authority, "http_client": _http_client(self.mail),
                "validate_authority": self.mail.authority.startswith(
                    "https://login.microsoftonline.com"),
                "instance_discovery": self.mail.authority.startswith(
                    "https://login.microsoftonline.com")}

    def app(self) -> Any:
        if self._app is not None:
            return self._app
        import msal

        try:
            if self.mail.sign_in == "app":
                self._app = msal.ConfidentialClientApplication(
                    self.mail.client_id, client_credential=client_credential(self.mail,
                                                                             self.environ),
                    **self._options())
            else:
                self._app = msal.PublicClientApplication(
                    self.mail.client_id, token_cache=self._user_cache(), **self._options())
        except UsageError:
            raise
        except (ValueError, OSError) as error:
            raise DeliveryError(f"cannot reach the sign-in service: {_short(error)}",
                                location=self.authority,
                                hint="check [mail] tenant and authority, and the network; "
                                "nothing was sent") from None
        return self._app

    def _user_cache(self) -> Any:
        from msal_extensions import (
            FilePersistence,
            PersistedTokenCache,
            build_encrypted_persistence,
        )

        path = token_cache_path(self.mail, self.environ)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            persistence = build_encrypted_persistence(str(path))
            self.encrypted = True
        except Exception:  # no DPAPI, Keychain or libsecret here
            persistence = FilePersistence(str(path))
            self.encrypted = False
            with contextlib.suppress(OSError):
                if not path.exists():
                    path.touch(mode=0o600)
                os.chmod(path, 0o600)
        self._persistence = persistence
        return PersistedTokenCache(persistence)

    def cache_description(self) -> str:
        path = token_cache_path(self.mail, self.environ)
        how = "encrypted" if self.encrypted else "unencrypted (no OS key store here), owner only"
        return f"{path} ({how})"

    def token(self) -> str:
        """An access token valid for a while yet; a :class:`DeliveryError` when none can be
        had (the run stops: nothing can go)."""
        app = self.app()
        try:
            if self.mail.sign_in == "app":
                result = app.acquire_token_for_client(scopes=self.scopes)
            else:
                accounts = app.get_accounts()
                result = (app.acquire_token_silent(self.scopes, account=accounts[0])
                          if accounts else None)
                if not result:
                    raise DeliveryError("nobody is signed in for this mailbox (or the "
                                        "sign-in has expired)", location=self.mail.mailbox,
                                        hint=f"{LOGIN_HINT}; nothing was sent")
        except DeliveryError:
            raise
        except Exception as error:  # requests' connection errors, MSAL's ValueErrors
            raise DeliveryError(f"cannot get a token from the sign-in service: "
                                f"{_short(error)}", location=self.authority,
                                hint="check [mail] authority, tenant and the network; "
                                "nothing was sent") from None
        if "access_token" in result:
            return str(result["access_token"])
        raise self._refused(result)

    def _refused(self, result: Mapping[str, Any]) -> DeliveryError:
        error = str(result.get("error", "error"))
        described = str(result.get("error_description", "")).splitlines()
        first = described[0] if described else ""
        if error == "invalid_client":
            hint = (f"the app registration's secret or certificate was refused: check "
                    f"{SECRET_VARIABLE} or {CERT_VARIABLE} (expired? copied whole?)")
        elif error in ("invalid_grant", "interaction_required"):
            hint = LOGIN_HINT
        elif error == "unauthorized_client" or "consent" in first.lower():
            hint = permission_hint(self.mail)
        else:
            hint = "check [mail] tenant and client_id"
        return DeliveryError(f"the sign-in service refused: {error}: {first}".rstrip(": "),
                             location=self.authority, hint=f"{hint}; nothing was sent")

    def login(self, show: Callable[[str], None]) -> str:
        """The device-code flow: ``show`` gets the instruction (a URL and a code) for the
        person; returns the account signed in."""
        if self.mail.sign_in != "user":
            raise UsageError('cbct-docs mail login is for [mail] sign_in = "user"; the app '
                             "registration signs in by itself",
                             hint=f"set {SECRET_VARIABLE} or {CERT_VARIABLE}")
        app = self.app()
        try:
            flow = app.initiate_device_flow(scopes=self.scopes)
            if "user_code" not in flow:
                raise self._refused(flow)
            show(str(flow.get("message") or f"Open {flow['verification_uri']} and enter "
                     f"the code {flow['user_code']}"))
            result = app.acquire_token_by_device_flow(flow)
        except DeliveryError:
            raise
        except Exception as error:
            raise DeliveryError(f"cannot sign in: {_short(error)}", location=self.authority,
                                hint="check [mail] authority, tenant and the network") from None
        if "access_token" not in result:
            raise self._refused(result)
        claims = result.get("id_token_claims") or {}
        return str(claims.get("preferred_username") or claims.get("name") or "signed in")


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:300]
