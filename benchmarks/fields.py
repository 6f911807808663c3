"""Time to convert one Markdown field of 100,000 characters, shape by shape.

    python -m benchmarks.fields [--chars 100000] [--repeat 3]

Each shape is one unit repeated to the length: the constructs whose parsing is quadratic
in naive parsers (open brackets, emphasis runs, backticks, nesting), the constructs that
make many elements, and plain prose. Prints the best of `--repeat` runs per shape and the
worst shape; the target is under one second each. It is not a timed test.
"""

from __future__ import annotations

import argparse
import time

from ownbook.render import fields

SHAPES = {
    "prose": "lorem ipsum dolor ",
    "open brackets": "[",
    "close brackets": "]",
    "backticks": "`",
    "stars": "*",
    "underscores": "_",
    "less-than": "<",
    "ampersands": "&",
    "backslashes": "\\",
    "link openers": "[a](",
    "image openers": "![",
    "reference links": "[a][",
    "links": "[a](https://b.example/) ",
    "code spans": "`a` ",
    "emphasis": "**a** ",
    "mixed delimiters": "*_`[<",
    "raw HTML": "<b>x</b>",
    "entities": "&#x6a;",
    "hard breaks": "  \n",
    "fences": "```\n",
    "nested quotes": ">",
    "nested lists": "1. ",
    "lists and quotes": "- > ",
    "list items": "- a\n  ",
    "reference definitions": "[a]: https://b.example/\n",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chars", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    worst = ("", 0.0)
    print(f"{'shape':<24}{'seconds':>9}{'HTML chars':>12}")
    for name, unit in SHAPES.items():
        text = (unit * (args.chars // len(unit) + 1))[: args.chars]
        best = float("inf")
        size = 0
        for _ in range(args.repeat):
            fields.field_html.cache_clear()
            start = time.perf_counter()
            size = len(fields.field_html(text))
            best = min(best, time.perf_counter() - start)
        worst = max(worst, (name, best), key=lambda x: x[1])
        print(f"{name:<24}{best:>9.3f}{size:>12,}")
    print(f"worst: {worst[0]}, {worst[1]:.3f} s (target: under 1 s)")
    print(f"sanitiser corrections: {fields.sanitiser_corrections} (must be 0)")


if __name__ == "__main__":
    main()
