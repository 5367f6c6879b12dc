"""Test-only llm plugin: adds the command `llm hello-plugin [NAME] [--fail]`.

The shell wrapper must pass plugin commands through untouched (no --sf, no `prompt`
inserted); the tests compare its output, stderr and exit status with and without the
wrapper. It prints its arguments and whether stdin was a terminal, writes a line to
stderr, and exits 3 with --fail.
"""
import sys

import click
import llm


@llm.hookimpl
def register_commands(cli):
    @cli.command(name="hello-plugin")
    @click.argument("words", nargs=-1)
    @click.option("--fail", is_flag=True, help="Exit with status 3.")
    def hello_plugin(words, fail):
        "Say hello (test-only plugin command of llm-user-memory)."
        click.echo("hello from the plugin: " + " | ".join(words))
        click.echo("plugin note on stderr", err=True)
        if fail:
            sys.exit(3)
