"""``contactsim schema``: what a planner's editor needs to help with scenario files — the JSON
Schema of a scenario (field names, each field's unit, default and meaning, and the checks an
editor can make as the planner types), or, with ``--markdown``, the field reference as the
README's tables."""

from __future__ import annotations

import click


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to FILE (whole or not at all) instead of printing it.")
@click.option("--markdown", is_flag=True, default=False,
              help="The field reference as Markdown tables (as the README shows it) instead of "
              "the schema.")
def schema(out: str | None, markdown: bool) -> None:
    """Write the JSON Schema of scenario files, for editors.

    With it, VS Code's YAML extension (and any editor using the YAML language server)
    completes field names, shows each field's help and flags mistakes as you type, in any
    scenario whose first line is `# yaml-language-server: $schema=scenario.schema.json` (the
    schema's path relative to the scenario). Printed unless --out names a file, e.g.
    `contactsim schema --out my-scenarios/scenario.schema.json`."""
    from contactsim.config.field_reference import render_markdown
    from contactsim.config.json_schema import schema_text
    from contactsim.data.files import write_text_atomic

    text = render_markdown() + "\n" if markdown else schema_text()
    if out is None:
        click.echo(text, nl=False)
        return
    write_text_atomic(out, text)
    click.echo(f"wrote {out}")
