"""The `animo` subcommands, one module each.

Each module defines NAME, HELP, `add_arguments(parser)` and `run(args) -> int`; list it in
`COMMAND_MODULES` and the CLI picks it up. Modules are imported only when the command line
is built, and heavy libraries only inside `run`, so `animo --help` stays instant.
"""

COMMAND_MODULES = (
    "animo_desktop.commands.doctor",
    "animo_desktop.commands.classify",
    "animo_desktop.commands.bench",
    "animo_desktop.commands.render",
    "animo_desktop.commands.make_tiny_model",
    "animo_desktop.commands.train_lora",
)
