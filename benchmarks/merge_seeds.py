"""Merge simulator JSON files of one benchmark run on different seeds; print their figures.

    alstudio simulate ARCHIVE.npz --seeds 5 --json first.json
    alstudio simulate ARCHIVE.npz --seeds 5 --first-seed 5 --json more.json
    python benchmarks/merge_seeds.py first.json more.json --out ten-seeds.json
    python benchmarks/merge_seeds.py --table ten-seeds/*.json      # the README's table
    python benchmarks/merge_seeds.py ten.json --keep-seeds 0-4 \
        --keep-strategies random,coreset_uncertainty --out five.json   # a part of a run

The merged file is the one a single ten-seed run would have written (same curves, same
summary); `benchmarks/ablation.py --table` reads it like any other. Both modes give each
strategy's label efficiency with its 95% interval from a bootstrap over the seeds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from alstudio.errors import AlstudioError
from alstudio.evaluation.paired import below_random, flags_by_chance, paired_aulc_gain
from alstudio.evaluation.report import format_summary
from alstudio.evaluation.seed_bootstrap import efficiency_interval
from alstudio.evaluation.seed_merge import merge_results, subset_result
from alstudio.selection.catalogue import DEFAULT_STRATEGY

TABLE_HEADER = (
    "| data | scenario | strategy | seeds | labels → 95%, tried / random |"
    " efficiency vs random (95% interval over seeds) |"
    " AULC minus random / minus the default, paired ± SE |"
    " bal. acc. at final budget, tried / random | rare per 100 labels |"
    " below random by > 1 SE at | a tie flagged at ≥ 1 / ≥ as many budgets |\n"
    + "|---" * 11 + "|")


def num(labels: float | None) -> str:
    """Labels to the target as a table cell."""
    return "not reached" if labels is None else f"{labels:.0f}"


def table_rows(result: dict[str, Any]) -> list[str]:
    """One README line per strategy of a (merged) result, each read against random."""
    data = Path(result["dataset"]).stem
    scenario = "natural" if result["scenario"] == "natural" else \
        result["scenario"].replace(" of pool", "").replace("rare class", "rare: class")
    rnd = result["summary"]["random"]["balanced_accuracy"]
    rows = []
    for strategy in result["config"]["strategies"][1:]:
        ba = result["summary"][strategy]["balanced_accuracy"]
        mean, se = paired_aulc_gain(result, result, tried=strategy, baseline="random")
        gain = f"{mean:+.3f} ± {se:.3f} / "
        if strategy == DEFAULT_STRATEGY or DEFAULT_STRATEGY not in result["curves"]:
            gain += "–"
        else:
            mean, se = paired_aulc_gain(result, result, tried=strategy)
            gain += f"{mean:+.3f} ± {se:.3f}"
        pos = result["summary"][strategy].get("positives")
        rare = "–" if not pos else \
            f"{pos['final']:.1f} / {result['summary']['random']['positives']['final']:.1f}"
        chance = flags_by_chance(result, strategy)
        rows.append(
            f"| {data} | {scenario} | `{strategy}` | {result['config']['seeds']} | "
            f"{num(ba['labels_to_target'])} / {num(rnd['labels_to_target'])} | "
            f"{efficiency_interval(result, strategy).describe()} | {gain} | "
            f"{ba['final_mean']:.3f} ± {ba['final_std']:.3f} / "
            f"{rnd['final_mean']:.3f} ± {rnd['final_std']:.3f} | {rare} | "
            f"{', '.join(map(str, below_random(result, strategy))) or 'never'} | "
            f"{chance[0]:.0%} / {chance[1]:.0%} |")
    return rows


def seed_range(text: str) -> list[int]:
    """``0-4`` or ``0,2,5``: the seeds to keep."""
    seeds: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        seeds.extend(range(int(low), int(high or low) + 1))
    return seeds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path, metavar="RESULT.json")
    parser.add_argument("--out", type=Path, metavar="MERGED.json",
                        help="write the merged result here")
    parser.add_argument("--table", action="store_true",
                        help="print the README table of the given results and stop")
    parser.add_argument("--keep-strategies", metavar="A,B",
                        help="keep only these strategies (random is always kept)")
    parser.add_argument("--keep-seeds", type=seed_range, metavar="0-4",
                        help="keep only these seeds")
    args = parser.parse_args(argv)
    try:
        loaded = [json.loads(path.read_text()) for path in args.results]
        if args.table:
            print(TABLE_HEADER)
            for result in loaded:
                print("\n".join(table_rows(result)))
            return 0
        if args.out is None:
            parser.error("give --out MERGED.json, or --table")
        names = [path.name for path in args.results]
        merged = loaded[0] if len(loaded) == 1 else merge_results(loaded, sources=names)
        if args.keep_strategies or args.keep_seeds is not None or len(loaded) == 1:
            kept = args.keep_strategies.split(",") if args.keep_strategies else None
            merged = subset_result(merged, kept, args.keep_seeds,
                                   source=names[0] if len(loaded) == 1 else "the merged runs")
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: cannot read the results: {exc}", file=sys.stderr)
        return 1
    except AlstudioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(merged, indent=1, allow_nan=False))
    if merged["left_out"]:
        why = "" if args.keep_strategies or len(loaded) == 1 else " (not in every run)"
        print(f"left out{why}: {', '.join(merged['left_out'])}")
    print(f"seeds {merged['config']['seed_list']}")
    print(format_summary(merged))
    return 0


if __name__ == "__main__":
    sys.exit(main())
