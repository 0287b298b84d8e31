import sys

from .cli import cli_render

sys.exit(cli_render())
