"""``make bench`` ends on the table of every goal the benchmarks reported (tests/benchmarks/report.py)."""

from tests.benchmarks import report


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    for line in report.summary():
        terminalreporter.write_line(line)
