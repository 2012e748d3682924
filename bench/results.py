"""What one run of bench/run.py measured, as plain records, and the small helpers to read them."""
from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field

import measure

LABELS = {
    "cold": "cold (no output, no cache)",
    "no-change": "no-change rebuild",
    "edit-body": "one post's body edited",
    "edit-tags": "one post's tags edited",
    "add-post": "one post added",
}


@dataclass
class Result:
    """The samples of one scenario of one tool."""

    samples: list[measure.Sample] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if there were runs and every one exited 0."""
        return bool(self.samples) and all(s.returncode == 0 for s in self.samples)

    @property
    def median(self) -> float | None:
        """Median wall seconds, None if a run failed."""
        return statistics.median(s.seconds for s in self.samples) if self.ok else None

    @property
    def tree_mib(self) -> float | None:
        """Peak summed RSS of the process tree in MiB over the runs."""
        return max(s.tree_kib for s in self.samples) / 1024 if self.samples else None

    @property
    def largest_mib(self) -> float | None:
        """Peak RSS of the largest process in MiB over the runs."""
        return max(s.largest_kib for s in self.samples) / 1024 if self.samples else None

    @property
    def stages(self) -> dict[str, float] | None:
        """The `--timings` stages of the run with the median time (the lower middle one)."""
        if not self.ok:
            return None
        ordered = sorted(self.samples, key=lambda s: s.seconds)
        return stages_of(ordered[(len(ordered) - 1) // 2])


@dataclass
class SizeResult:
    """Everything measured for one corpus size."""

    n: int
    linkblog: dict[str, Result] = field(default_factory=dict)
    hugo: dict[str, Result] | None = None
    inventory: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)  # tool -> kind -> files, bytes
    compare: str | None = None
    inprocess: dict | None = None
    serve: dict | None = None


@dataclass
class Findings:
    """Everything one run measured."""

    sizes: list[SizeResult]
    startup: Result | None = None
    example: dict | None = None  # serve_latency on the example site
    cold_jobs1: tuple[int, dict | str] | None = None  # size, a --jobs 1 cold build's wall and stages
    cores: int = 1


def stages_of(sample: measure.Sample) -> dict[str, float] | None:
    """The `timings: {json}` line a build printed last on stderr, or None."""
    lines = sample.stderr.strip().splitlines()
    if not lines or not lines[-1].startswith("timings: "):
        return None
    try:
        stages = json.loads(lines[-1][len("timings: "):])
    except json.JSONDecodeError:
        return None
    return {k: v for k, v in stages.items() if isinstance(v, (int, float))}


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b, None when either is missing."""
    return a / b if a is not None and b else None


def fmt(value: float | None, spec: str = ".3f") -> str:
    """A number formatted, or 'n/a'."""
    return "n/a" if value is None else format(value, spec)


def hugo_ref(scenario: str) -> str:
    """The Hugo scenario a linkblog scenario is compared with."""
    return "cold" if scenario == "cold" else "no-change"


def totals(kinds: dict[str, tuple[int, int]]) -> tuple[int, int]:
    """Files and bytes over every kind of an inventory."""
    return sum(n for n, _ in kinds.values()), sum(b for _, b in kinds.values())


def summary_of(values: list[float]) -> str:
    """Median and worst of a list of milliseconds."""
    return f"{statistics.median(values):.1f} / {max(values):.1f}" if values else "n/a"
