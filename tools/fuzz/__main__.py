"""`python -m tools.fuzz` (what `make fuzz` runs): a fuzz run against a cluster of its own, brought up with
`python -m cluster` on a temporary state directory and brought down afterwards, or against the cluster of
`--state-dir`. Prints the figures; exits 1 when an answer broke the contract or the data was damaged."""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.fuzz.campaign import fuzz
from tools.fuzz.runner import Budget
from tools.fuzz.target import Target

ROOT = Path(__file__).resolve().parents[2]


def cluster(state: Path, command: str) -> None:
    result = subprocess.run([sys.executable, "-m", "cluster", f"--state-dir={state}", command], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"python -m cluster {command}: {result.stdout}{result.stderr}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fuzz")
    parser.add_argument("--requests", type=int, default=3000, help="stop after this many requests")
    parser.add_argument("--seconds", type=float, default=1800, help="stop after this long")
    parser.add_argument("--examples", type=int, default=2, help="cases per operation and mode in one round")
    parser.add_argument("--seed", type=int, default=None, help="the run's seed (printed; random by default)")
    parser.add_argument("--state-dir", type=Path, default=None,
                        help="fuzz the running cluster of this state directory instead of one of its own")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    budget = Budget(args.requests, args.seconds, args.examples)
    print(f"fuzz run: seed {seed}, at most {budget.requests} requests or {budget.seconds:.0f} s", flush=True)
    if args.state_dir:
        outcome = fuzz(Target.from_state(args.state_dir.resolve()), budget, seed)
    else:
        with tempfile.TemporaryDirectory(prefix="fuzz-cluster-") as directory:
            state = Path(directory) / "state"
            try:
                cluster(state, "up")
                outcome = fuzz(Target.from_state(state), budget, seed)
            finally:
                cluster(state, "down")
    print(outcome.summary())
    return 0 if outcome.passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
