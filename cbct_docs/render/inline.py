"""Inline CSS into HTML e-mails: many mail clients drop ``<style>`` blocks.

Rules that cannot be inlined (``@media`` queries) stay in a ``<style>`` block, where the
clients that understand them (phones) still use them.
"""

from __future__ import annotations

import re

import css_inline

from ..errors import TemplateError

# Remote stylesheets are never fetched: rendering must not depend on the network.
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
_DOCUMENT = re.compile(r"^\s*(<!doctype[^>]*>\s*)?<html[\s>]", re.IGNORECASE)
_WRAPPED = re.compile(r"^<html><head>(?P<head>.*?)</head><body>(?P<body>.*)</body></html>$",
                      re.DOTALL)


def inline_css(html: str) -> str:
    """``html`` with its ``<style>`` rules moved into ``style=""`` attributes.

    A whole document stays a whole document (its doctype too); a fragment stays a
    fragment, with any ``@media`` rules kept in a ``<style>`` block in front of it.
    """
    try:
        inlined = _INLINER.inline(html)
    except (ValueError, css_inline.InlineError) as error:
        raise TemplateError(f"cannot inline CSS: {error}",
                            hint="check the <style> block of the e-mail template") from None
    document = _DOCUMENT.match(html)
    if document is None:
        wrapped = _WRAPPED.match(inlined)
        if wrapped:
            return wrapped["head"] + wrapped["body"]
        return inlined
    doctype = document.group(1)
    if doctype and not inlined.lstrip().lower().startswith("<!doctype"):
        inlined = doctype.strip() + "\n" + inlined
    return inlined
