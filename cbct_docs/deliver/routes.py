"""The way out chosen by ``[mail] route``: one :class:`.route.Route` for the send rule.

``smtp`` (the default): ``[smtp]`` with an optional password login. ``smtp-oauth2``: SMTP
with ``AUTH XOAUTH2`` as ``[mail] mailbox``, to ``smtp.office365.com:587`` (STARTTLS)
unless ``[smtp] host`` names another server. ``graph``: Microsoft Graph ``sendMail``
from ``[mail] mailbox``. The retry policy (``timeout``, ``attempts``, ``backoff``,
``rate``) is ``[smtp]``'s for every route. The command line and the web app both call
:func:`make_route`; neither knows the routes apart.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ..errors import UsageError
from ..settings import Settings
from .route import Route

OFFICE365_SMTP = ("smtp.office365.com", 587, "starttls")
#: The packaged default host: "not set" for the Microsoft 365 route.
UNSET_HOST = "localhost"


def make_route(settings: Settings, password: Callable[[str], str | None] | None = None
               ) -> Route:
    """The route of ``settings``; ``password(user)`` gives the SMTP password of the plain
    ``smtp`` route when it has a user (the command line asks, the web app is given it)."""
    mail = settings.mail()
    smtp = settings.smtp()
    if mail.route == "smtp":
        from .smtp import Mailer

        secret = password(smtp.user) if (password and smtp.user) else None
        if smtp.user and not secret:
            raise UsageError(f"the SMTP user {smtp.user!r} needs a password",
                             hint="set CBCT_SMTP_PASSWORD")
        return Mailer(smtp, secret)
    from .oauth import TokenSource

    tokens = TokenSource(mail)
    tokens.check()  # a missing secret is said before anything is claimed
    if mail.route == "smtp-oauth2":
        from .smtp import OAuthMailer

        if smtp.host == UNSET_HOST:
            host, port, security = OFFICE365_SMTP
            smtp = dataclasses.replace(smtp, host=host, port=port, security=security)
        return OAuthMailer(dataclasses.replace(smtp, user=mail.mailbox), tokens)
    from .graph import GraphMailer

    return GraphMailer(smtp, mail, tokens)
