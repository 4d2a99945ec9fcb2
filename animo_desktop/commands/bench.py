"""`animo bench NAME`: run one of the project's benchmarks (see animo_desktop.benchmarks)."""

from __future__ import annotations

import argparse
import importlib

from animo_desktop.benchmarks import BENCH_MODULES

NAME = "bench"
HELP = "run a benchmark: prints a table, then one JSON line of its figures"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    benchmarks = parser.add_subparsers(dest="benchmark", metavar="BENCHMARK", required=True)
    for module_name in BENCH_MODULES:
        module = importlib.import_module(module_name)
        subparser = benchmarks.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        subparser.set_defaults(run_benchmark=module.run)
        module.add_arguments(subparser)


def run(args: argparse.Namespace) -> int:
    return args.run_benchmark(args)
