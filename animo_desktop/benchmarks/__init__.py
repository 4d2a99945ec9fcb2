"""Benchmarks behind `animo bench NAME`, one module each.

Each module defines NAME, HELP, `add_arguments(parser)` and `run(args) -> int`, and ends
its output with `report.print_report`: a readable table, then one JSON line of figures.
"""

BENCH_MODULES = (
    "animo_desktop.benchmarks.painter",
    "animo_desktop.benchmarks.palette",
    "animo_desktop.benchmarks.vision",
    "animo_desktop.benchmarks.emotion",
    "animo_desktop.benchmarks.swap",
    "animo_desktop.benchmarks.generation",
    "animo_desktop.benchmarks.train_lora",
    "animo_desktop.benchmarks.canvas",
    "animo_desktop.benchmarks.soak",
    "animo_desktop.benchmarks.comfyui",
    "animo_desktop.benchmarks.report_table",
)
