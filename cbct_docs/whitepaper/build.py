"""Render norm guides to Word and HTML and write them safely.

Everything is read, checked and rendered before the first file is written: a bad norm
file among several leaves the output folder untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..deliver.files import atomic_write, ensure_folder, safe_filename
from ..errors import CbctError, OutputError, Problems, UsageError
from ..paths import templates_dir
from ..render import DocxRenderer, HtmlRenderer
from ..render.images import DocxImage
from .content import Guide, load_guide
from .context import Brand, build_context
from .numbering import restart_numbering

FORMATS = ("docx", "html")


def default_template(fmt: str) -> Path:
    return templates_dir() / "reports" / f"whitepaper.{fmt}"


LOGO_WIDTH_MM = 35


def render_docx(guide: Guide, template: str | Path | None = None,
                brand: Brand | None = None) -> bytes:
    renderer = DocxRenderer(template or default_template("docx"))
    context = build_context(guide, brand)
    if brand is not None and brand.logo:
        context["logo"] = DocxImage(brand.logo, LOGO_WIDTH_MM)
    return restart_numbering(renderer.render(context))


def render_html(guide: Guide, template: str | Path | None = None,
                brand: Brand | None = None) -> str:
    context = build_context(guide, brand)
    if brand is not None and brand.logo:
        context["logo"] = data_uri(brand.logo)  # the page stays one self-contained file
    return HtmlRenderer(template or default_template("html")).render(context)


def data_uri(picture: bytes) -> str:
    """A PNG or JPEG as a ``data:`` URI for an ``<img src>``."""
    import base64

    kind = "image/png" if picture.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{kind};base64,{base64.b64encode(picture).decode('ascii')}"


def output_stem(guide: Guide) -> str:
    """``KiB-norm-4-Samenwerking``: framework, number and title, safe on every system."""
    title = "-".join(guide.norm.title.replace("&", "en").split())
    return safe_filename(f"{guide.framework.code}-norm-{guide.norm.number}-{title}")


def parse_formats(text: str) -> list[str]:
    """``"docx,html"`` → ``["docx", "html"]``; an unknown format is a usage error."""
    formats = [part.strip().lower().lstrip(".") for part in text.split(",") if part.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown format {', '.join(unknown) or repr(text)}",
                         location="--format", hint="use docx, html or docx,html")
    return list(dict.fromkeys(formats))


@dataclass
class Whitepaper:
    source: Path
    path: Path
    data: bytes | str


def build_whitepapers(norm_files: Sequence[str | Path], out: Path,
                      formats: Iterable[str] = FORMATS, *, overwrite: bool = False,
                      templates: dict[str, Path] | None = None,
                      progress: Callable[[int, int], None] | None = None,
                      brand: Brand | None = None) -> list[Whitepaper]:
    """Check and render every norm file, then write ``<stem>.<format>`` files into ``out``;
    ``brand``: the office's name, website and logo on every whitepaper."""
    formats = list(formats)
    templates = templates or {}
    renderers: dict[str, Callable[[Guide, Path | None, Brand | None], bytes | str]] = {
        "docx": render_docx, "html": render_html}
    problems = Problems()
    papers: list[Whitepaper] = []
    total = len(norm_files) * len(formats)
    for source in map(Path, norm_files):
        try:
            guide = load_guide(source)
        except CbctError as error:
            problems.add(error)
            continue
        for fmt in formats:
            with problems.catch():
                data = renderers[fmt](guide, templates.get(fmt), brand)
                papers.append(Whitepaper(source, out / f"{output_stem(guide)}.{fmt}", data))
            if progress:
                progress(len(papers), total)
    problems.raise_if_any()
    _refuse_clashes(papers, overwrite)
    ensure_folder(out)
    for paper in papers:
        atomic_write(paper.path, paper.data, overwrite=overwrite)
    return papers


def _refuse_clashes(papers: Sequence[Whitepaper], overwrite: bool) -> None:
    problems = Problems()
    seen: dict[Path, Path] = {}
    for paper in papers:
        if paper.path in seen:
            problems.add(OutputError(f"would be made from both {seen[paper.path]} and "
                                     f"{paper.source}", location=paper.path,
                                     hint="two norm files describe the same norm"))
        seen[paper.path] = paper.source
        if paper.path.exists() and not overwrite:
            problems.add(OutputError("exists already", location=paper.path,
                                     hint="use --overwrite to replace it"))
    problems.raise_if_any()
