"""What every lifecycle document is made with: the office (from cbct-docs.toml), its
templates (Word and e-mail, the office's own or the bundled ones, compiled once), file
names, and writing e-mails. The addressee's and framework's fields are in
documents/fields.py, the Dutch words in documents/wording.py.

Template fields are Dutch (``bureau.plaats``) because the people who edit the templates
are office staff; docs/lifecycle.md lists them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CbctError, DataError
from ..paths import templates_dir
from ..render import HtmlRenderer
from ..render.environment import CleanContext, StrictEnvironment, cleaned
from ..render.lookup import redirect, search_folders, template_path
from .batch import Batch as Batch  # re-exported: the runs and the CLI use them from here
from .batch import Made as Made
from .wording import VOICES, voice_words

if TYPE_CHECKING:  # python-docx and docxtpl load when a Word template is first used
    from ..render.docx import DocxRenderer
    from ..render.fast_email import InlinedHtmlRenderer  # css_inline: at the first e-mail

SETTINGS_NAME = "cbct-docs.toml"
#: Settings sections a document needs, with the keys each must have.
REQUIRED = {
    "letterhead": ("name", "street", "postcode", "city", "phone", "email", "website", "kvk",
                   "portal", "survey"),
    "sender": ("name", "email"),
    "signatory": ("name", "role"),
}


@dataclass(frozen=True)
class Office:
    """Letterhead, sender and signatory, as the templates see them."""

    bureau: dict[str, str]
    afzender: dict[str, str]
    ondertekenaar: dict[str, str]
    #: The office's own templates folder (``[documents] templates``), None: not set.
    templates: Path | None = None
    #: ``[documents] aanspreekvorm``: "je" (the office's own voice, the default) or "u".
    aanspreekvorm: str = "je"
    #: ``[documents] verify_url``: where a certificate can be checked; ``{code}`` is its
    #: verification code, ``{nummer}`` its number.
    verify_url: str = "https://www.cbct.example/certificaat/{code}"
    #: ``[letterhead] logo``: the office's logo (PNG or JPEG bytes), on the certificate.
    logo: bytes = b""

    def fields(self) -> dict[str, Any]:
        """Letterhead, sender, signatory and the voice's words, as every template sees
        them: cleaned once (render.environment.cleaned), not again for every document."""
        return dict(self._fields)

    @cached_property
    def _fields(self) -> dict[str, Any]:
        once = cleaned({"bureau": self.bureau, "afzender": self.afzender,
                        "ondertekenaar": self.ondertekenaar, **voice_words(self.aanspreekvorm)})
        return {name: CleanContext(value) if type(value) is dict else value
                for name, value in once.items()}

    @property
    def sender(self) -> str:
        return f"{self.afzender['naam']} <{self.afzender['email']}>"


def example_settings_path() -> Path:
    """The example office's settings: cbct-docs.toml at the top of a checkout, or the copy
    a wheel carries next to its bundled templates."""
    return templates_dir().parent / SETTINGS_NAME


def load_office(path: str | Path | None = None, *, example_fallback: bool = False) -> Office:
    """Letterhead, sender and signatory through :func:`cbct_docs.settings.load_settings`.

    Real letters need the office's own settings; only the demo (``example_fallback``)
    falls back to the example office when the settings found have no [letterhead].
    """
    from ..settings import load_settings

    settings = load_settings(path)
    where = str(settings.source or SETTINGS_NAME)
    if "letterhead" not in settings and path is None and example_fallback:
        example = example_settings_path()
        settings, where = load_settings(example), str(example)
    elif settings.source is None:
        # No settings file at all: say so, rather than list sections of a file not there.
        raise DataError(f"no settings file: ./{SETTINGS_NAME} not found", location=Path.cwd(),
                        hint=f"copy {example_settings_path()} here and fill in the office's "
                             "letterhead, sender and signatory, or give --config FILE")
    return office_from(settings, where)


def office_from(sections: Mapping[str, Any], where: str = SETTINGS_NAME) -> Office:
    from ..errors import Problems

    problems = Problems()
    for section, keys in REQUIRED.items():
        values = sections.get(section)
        if not isinstance(values, Mapping):
            problems.add(DataError(f"missing section [{section}]", location=where,
                                   hint=f"it needs {', '.join(keys)}; see the "
                                        f"{SETTINGS_NAME} at the top of the repository"))
            continue
        for key in keys:
            if not str(values.get(key) or "").strip():
                problems.add(DataError(f"[{section}] {key} is missing or empty",
                                       location=where))
    problems.raise_if_any()
    head, sender, signer = (sections[s] for s in REQUIRED)
    documents = sections.get("documents")
    documents = documents if isinstance(documents, Mapping) else {}
    form = str(documents.get("aanspreekvorm") or "je").strip().lower()
    if form not in VOICES:
        raise DataError(f"[documents] aanspreekvorm is {form!r}; it can be \"je\" or \"u\"",
                        location=where)
    application = str(documents.get("application") or "Zenya").strip()
    website = str(head.get("website") or "").strip()
    verify_url = str(documents.get("verify_url") or "").strip() or (
        f"https://{website.removeprefix('https://').removeprefix('http://')}"
        "/certificaat/{code}")
    return Office(
        verify_url=verify_url,
        logo=_logo(head.get("logo"), where),
        templates=own_templates_setting(sections, where),
        aanspreekvorm=form,
        bureau={"naam": head["name"], "straat": head["street"], "postcode": head["postcode"],
                "plaats": head["city"], "telefoon": head["phone"], "email": head["email"],
                "website": head["website"], "kvk": str(head["kvk"]), "portaal": head["portal"],
                "enquete": head["survey"], "applicatie": application},
        afzender={"naam": sender["name"], "email": sender["email"]},
        ondertekenaar={"naam": signer["name"], "functie": signer["role"]},
    )


def _logo(value: Any, where: str | Path) -> bytes:
    """``[letterhead] logo`` (a PNG or JPEG file, relative to the settings file) as bytes."""
    name = str(value or "").strip()
    if not name:
        return b""
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = Path(where).parent / path
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DataError(f"[letterhead] logo: cannot read {path}: {error.strerror}",
                        location=where) from None
    if not (data.startswith(b"\x89PNG") or data.startswith(b"\xff\xd8")):
        raise DataError(f"[letterhead] logo: {path} is not a PNG or JPEG picture",
                        location=where)
    return data


def own_templates_setting(sections: Mapping[str, Any], where: str | Path, *,
                          must_exist: bool = True) -> Path | None:
    """``[documents] templates`` of the settings, relative to the settings file; None when
    it is not set (then ``templates/`` in the office folder counts, when it exists)."""
    documents = sections.get("documents")
    value = str(documents.get("templates") or "").strip() if isinstance(documents,
                                                                        Mapping) else ""
    if not value:
        return None
    folder = Path(value).expanduser()
    if not folder.is_absolute():
        folder = Path(where).parent / folder
    if must_exist and not folder.is_dir():
        raise DataError(f"[documents] templates names {folder}, which is not a folder",
                        location=where, hint="make the folder (cbct-docs templates copy "
                                             "NAME starts it) or correct the setting")
    return folder


# --- producing files: documents/batch.py (Made, Batch), here for the modules that use them --

@contextmanager
def about(org: Any) -> Iterator[None]:
    """Put the organisation's register row in front of any problem raised inside."""
    try:
        yield
    except CbctError as error:
        if error.location and (isinstance(error, DataError)
                               or error.location.startswith(str(org.origin))):
            raise  # a data problem already located in its own file (or in this very row)
        raise error.at(org.origin) from None


def file_stem(org: Any, kind: str) -> str:
    """Certificate number first: names repeat, certificate numbers do not."""
    return f"{org.cert_nr}-{kind}-{org.name}"


def _stamp(path: Path) -> tuple[str, int, int]:
    """A template file with its change time and size: an edited template is read again."""
    try:
        stat = path.stat()
    except OSError:
        return str(path), 0, 0
    return str(path), stat.st_mtime_ns, stat.st_size


def docx_template(name: str, folder: str | Path | None = None) -> DocxRenderer:
    """A Word template (``letters/besluitbrief.docx``): the office's own version when its
    templates folder (``folder``, else the office in use) has one, else the bundled one;
    compiled once per process (again when the file changed)."""
    return _docx(*_stamp(template_path(name, Path(folder) if folder else None)))


@lru_cache(maxsize=32)
def _docx(path: str, _changed: int, _size: int) -> DocxRenderer:
    from ..render.docx import DocxRenderer

    return DocxRenderer(path)


def html_template(name: str, folder: str | Path | None = None) -> HtmlRenderer:
    """An e-mail template (``aankondiging.txt``), looked up like :func:`docx_template`."""
    return _html(*_stamp(template_path(f"emails/{name}", Path(folder) if folder else None)))


@lru_cache(maxsize=32)
def _html(path: str, _changed: int, _size: int) -> HtmlRenderer:
    return HtmlRenderer(path)


def html_renderer(path: str | Path) -> HtmlRenderer:
    """Any HTML template by its path, compiled once (again when the file changed)."""
    return _html(*_stamp(Path(path)))


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    css_inlined: bool = False  # the HTML carries its CSS inline already


def inlined_template(name: str, folder: str | Path | None = None) -> InlinedHtmlRenderer:
    """An e-mail's HTML template with its CSS inlined once, not once per message."""
    return _inlined(*_stamp(template_path(f"emails/{name}", Path(folder) if folder else None)))


@lru_cache(maxsize=32)
def _inlined(path: str, _changed: int, _size: int) -> InlinedHtmlRenderer:
    from ..render.fast_email import InlinedHtmlRenderer

    return InlinedHtmlRenderer(path)


@dataclass(frozen=True)
class EmailTemplates:
    """An e-mail's two templates, looked up and compiled once for a whole run:
    ``<name>.txt`` (its first line ``Onderwerp: …`` is the subject) and ``<name>.html``
    (its CSS inlined at compile time)."""

    name: str
    text: HtmlRenderer
    html: InlinedHtmlRenderer

    def render(self, context: Mapping[str, Any], to: str) -> Email:
        """One e-mail; the context is cleaned once for both templates."""
        context = cleaned(context)
        text = self.text.render(context)
        first, _, body = text.partition("\n")
        if not first.startswith("Onderwerp:"):
            raise DataError("the first line must be 'Onderwerp: …' (the subject)",
                            location=f"emails/{self.name}.txt")
        html = self.html.render(context)
        return Email(to, first.removeprefix("Onderwerp:").strip(), body.lstrip("\n"), html,
                     css_inlined=True)


def email_templates(name: str, folder: str | Path | None = None, *,
                    run: bool = False) -> EmailTemplates:
    """The templates of e-mail ``name`` (``aankondiging``): the office's own versions when
    it has them, else the bundled ones; a run looks them up once, not once per message.
    ``run``: the templates for one run of many e-mails: the text template compiled afresh
    in an environment that does not look at its layout's file again for every message
    (``auto_reload`` off: a stat per e-mail); the next run sees an edited layout."""
    if run:
        where = Path(folder) if folder else None
        text = _run_text(redirect(template_path(f"emails/{name}.txt", where)))
    else:
        text = html_template(f"{name}.txt", folder)
    return EmailTemplates(name, text, inlined_template(f"{name}.html", folder))


def _run_text(path: Path) -> HtmlRenderer:
    """The text template at ``path`` (looked up already) for one run: auto_reload off."""
    frozen = StrictEnvironment(search_folders(path), auto_reload=False)
    return HtmlRenderer(path, frozen, exact=True)


def render_email(name: str, context: Mapping[str, Any], to: str,
                 folder: str | Path | None = None) -> Email:
    """One e-mail from ``<name>.txt`` and ``<name>.html`` (see :class:`EmailTemplates`)."""
    return email_templates(name, folder).render(context, to)


def email_bytes(email: Email, office: Office, attachments: Sequence[Path] = ()) -> bytes:
    from ..deliver.email import build_message, eml_bytes

    message = build_message(sender=office.sender, to=email.to, subject=email.subject,
                            html=email.html, text=email.text, attachments=attachments,
                            css_inlined=email.css_inlined)
    return eml_bytes(message)
