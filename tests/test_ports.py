"""Each test process binds ports of its own: xdist workers and the two database runs never share one."""

from tests.ports import own_ports


def test_workers_and_database_runs_get_disjoint_blocks(monkeypatch):
    blocks = []
    for database in ("sqlite", "postgresql"):
        for worker in ("gw0", "gw1", "gw15"):
            monkeypatch.setenv("TRAINWATCH_TEST_DATABASE", database)
            monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
            blocks.append(set(own_ports(20000)))
    assert all(len(block) == 10 for block in blocks)
    assert len(set().union(*blocks)) == 10 * len(blocks)
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    monkeypatch.setenv("TRAINWATCH_TEST_DATABASE", "sqlite")
    assert own_ports(20000) == range(20000, 20010)  # a serial run
