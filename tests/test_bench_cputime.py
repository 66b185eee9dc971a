"""The bench's CPU accounting (bench/cputime.py): what processes used, reaped children included, and the split of
the mixed row's CPU into its reads and its writes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.bench_code import bench_module

cputime = bench_module("cputime")

BURN = "import time\nend = time.process_time() + {seconds}\nwhile time.process_time() < end: pass\n"


def _python(code: str, **options: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", code], **options)  # type: ignore[call-overload]


def test_a_process_group_counts_each_of_its_processes() -> None:
    """A server's workers are its children in its own session: the group's CPU is theirs too."""
    parent = _python(
        textwrap.dedent(
            f"""
            import subprocess, sys, time
            child = subprocess.Popen([sys.executable, "-c", {BURN.format(seconds=0.4)!r}])
            child.wait()
            print("done", flush=True)
            time.sleep(30)
            """
        ),
        start_new_session=True,
        stdout=subprocess.PIPE,
    )
    try:
        assert parent.stdout is not None and parent.stdout.readline() == b"done\n"
        assert parent.pid in cputime.group_pids(parent.pid)
        # The child is gone; its parent reaped it, and its 0.4 s count in the parent's.
        assert cputime.cpu_seconds(cputime.group_pids(parent.pid)) >= 0.35
    finally:
        parent.kill()
        parent.wait()


def test_a_live_process_counts_and_a_gone_one_counts_nothing() -> None:
    burner = _python(BURN.format(seconds=0.3) + "print('burnt', flush=True)\ntime.sleep(30)\n", stdout=subprocess.PIPE)
    try:
        assert burner.stdout is not None and burner.stdout.readline() == b"burnt\n"
        # 0.3 s by the process's own clock; /proc counts in ticks of 10 ms.
        assert 0.28 <= cputime.cpu_seconds([burner.pid]) < 5
    finally:
        burner.kill()
        burner.wait()
    assert cputime.cpu_seconds([burner.pid]) == 0


def test_named_pids_finds_processes_by_command_name() -> None:
    own_name = Path(f"/proc/{os.getpid()}/comm").read_text().strip()
    assert os.getpid() in cputime.named_pids(own_name)
    assert cputime.named_pids("no-such-command-name") == []


def test_write_cost_splits_the_mixed_round_into_reads_and_writes() -> None:
    # Reads alone: 10,000 requests for 1.5 s of the service's CPU, none of PostgreSQL's: 150 µs a read.
    reads = cputime.Round(requests=10_000, service=1.5, postgres=0.0)
    # With writes: 5,000 requests, 50 of them writes; 4,950 reads at 150 µs leave 0.7425 s of the service's CPU and
    # 0.2 s of PostgreSQL's to the 50 writes: 14.85 and 4 ms each.
    mixed = cputime.Round(requests=5_000, service=1.485, postgres=0.2)
    cost = cputime.write_cost(reads, mixed, every=100)
    assert cost.read_us == pytest.approx(150)
    assert cost.service_ms == pytest.approx(14.85)
    assert cost.postgres_ms == pytest.approx(4.0)
    # 99 reads and a write cost 99 + (14.85 + 4) / 0.15 reads: 100 of them fit in 100 / 224.67 of that.
    assert cost.cpu_cap == pytest.approx(100 / (99 + 18.85 / 0.15))
    assert cost.postgres_cap == pytest.approx(100 / (99 + 4 / 0.15))


def test_write_cost_never_goes_below_free() -> None:
    """Noise can make the mixed round's reads look cheaper than the reads alone: a write then costs nothing, not
    less."""
    reads = cputime.Round(requests=1_000, service=0.2, postgres=0.01)
    mixed = cputime.Round(requests=1_000, service=0.1, postgres=0.0)
    cost = cputime.write_cost(reads, mixed, every=100)
    assert cost.service_ms == 0 and cost.postgres_ms == 0
    assert cost.cpu_cap == pytest.approx(100 / 99)


def test_cap_is_the_share_of_read_throughput_a_write_leaves() -> None:
    # A write as dear as a read changes nothing; one as dear as 101 reads halves the reads a round answers.
    assert cputime.cap(100, 150e-6, 150e-6) == pytest.approx(1.0)
    assert cputime.cap(100, 101 * 150e-6, 150e-6) == pytest.approx(0.5)
