"""``cbct-docs``: a thin command line over the importable API.

Every expected failure is a :class:`~cbct_docs.errors.CbctError`; this is the one place
where it becomes ``Error: <location>: <what> (<hint>)`` and an exit code (1 data or
template, 2 usage). Each command lives in its own module and is registered below.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import IO, Any

import click

from ..errors import CbctError

#: Each command and its module in this package (which defines ``commands``, a list of
#: click commands). A command imports its own module only, when it is run; --help imports
#: them all (tests/test_cli_imports.py checks this table against the modules).
COMMANDS = {
    "register": "register",
    **dict.fromkeys(["announce", "intake-reminder", "confirm", "report", "decide",
                     "certificate", "heraudit", "survey"], "lifecycle"),
    **dict.fromkeys(["status", "record", "dossier"], "process"),
    "campaign": "campaign", "scoresheet": "scoresheet",
    **dict.fromkeys(["merge", "check"], "merge"),
    **dict.fromkeys(["send", "pdf", "bundle"], "send"),
    "whitepaper": "whitepaper", "overview": "overview", "demo": "demo",
    **dict.fromkeys(["serve", "users"], "web"),
    "templates": "templates", "news": "news", "mail": "mail",
}


class CbctClickError(click.ClickException):
    def __init__(self, error: CbctError) -> None:
        super().__init__(str(error))
        self.error = error
        self.exit_code = error.exit_code  # type: ignore[misc]

    def show(self, file: IO[Any] | None = None) -> None:
        messages = self.error.messages()
        for message in messages:
            click.echo(f"Error: {message}", file=file, err=file is None)
        if len(messages) > 1:
            click.echo(f"{len(messages)} problems.", file=file, err=file is None)


class CbctGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, its module imported first when it is not loaded yet."""
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            load_commands(COMMANDS[cmd_name])
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CbctError as error:
            raise CbctClickError(error) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            # A command may say how to resume it (ctx.meta is shared with its context).
            hint = ctx.meta.get("cbct_docs.interrupt_hint") or (
                "Files already written are complete; rerun the same command (merge: with "
                "--resume) to finish.")
            click.echo(f"Interrupted. {hint}", err=True)
            ctx.exit(130)
        except Exception as error:
            if os.environ.get("CBCT_DEBUG"):
                raise
            # A bug, not bad input: say so plainly, and how to get the details.
            click.echo(f"Error: internal error: {type(error).__name__}: {error} (this is a bug "
                       "in cbct-docs; rerun with CBCT_DEBUG=1 to see the details)", err=True)
            ctx.exit(3)


@click.group(cls=CbctGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cbct-docs")
def cli() -> None:
    """Letters, e-mails, reports and certificates for the certification office.

    \b
    Typical use:
      cbct-docs demo --out out                        # everything, on the samples
      cbct-docs register check register.xlsx --quarter 2025-Q2
      cbct-docs announce --quarter 2025-Q2 --register register.xlsx
      cbct-docs confirm planning.xlsx --register register.xlsx --pdf
      cbct-docs report scores/*.xlsx --concept --register register.xlsx
      cbct-docs send out/aankondiging                 # a dry run; --send sends
      cbct-docs merge TEMPLATE DATA --out out/brieven  # any template, any table

    Every command explains itself with --help. Nothing is overwritten without
    --overwrite, and bad input is reported all at once before anything is written.
    """


def load_commands(module: str) -> None:
    """Add the commands of one command module (``lifecycle``) to the group."""
    for command in importlib.import_module(f"{__name__}.{module}").commands:
        cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    # A command makes tens of thousands of short-lived objects per thousand documents
    # beside the office's data it keeps (organisations, dossiers, events): the young
    # generation is collected every 10,000 allocations instead of 700, and what was
    # imported before the command is left out of the collections (5-15 % less CPU for
    # an announce of 2,000, issue 16).
    gc.freeze()
    gc.set_threshold(10_000, *gc.get_threshold()[1:])
    from ..records.openpyxl_start import skip_numpy

    skip_numpy()  # openpyxl without its numpy import: ~0.3 s of a command's start
    cli.main(args=argv, prog_name="cbct-docs")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
