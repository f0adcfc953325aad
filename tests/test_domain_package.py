"""``cbct_docs.domain`` gives its names from their modules when first asked for (issue 16):
importing the package loads none of them, and every name it lists is the object its
module defines."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

MODULES = ("advice", "frameworks", "planning", "register", "scoresheet")


def test_importing_the_package_loads_no_domain_module() -> None:
    code = ("import sys, cbct_docs.domain; "
            "print('\\n'.join(sorted(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    assert [name for name in loaded if name.startswith("cbct_docs.domain.")] == []


def test_every_listed_name_is_its_modules_object() -> None:
    import cbct_docs.domain as domain

    modules = [importlib.import_module(f"cbct_docs.domain.{name}") for name in MODULES]
    assert len(domain.__all__) == 27
    for name in domain.__all__:
        homes = [module for module in modules if name in vars(module)]
        assert homes, name
        assert all(getattr(domain, name) is vars(home)[name] for home in homes), name
    star: dict[str, object] = {}
    exec("from cbct_docs.domain import *", star)  # noqa: S102 - what a user may write
    assert sorted(n for n in star if not n.startswith("__")) == sorted(domain.__all__)


def test_an_unknown_name_raises_attribute_error() -> None:
    import cbct_docs.domain as domain

    with pytest.raises(AttributeError, match="no_such_name"):
        domain.no_such_name  # noqa: B018
