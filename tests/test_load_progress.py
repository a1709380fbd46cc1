"""Loading a big world shows its progress on a terminal, and nothing anywhere else."""

import io

from mock_server import create_app
from mock_server.progress import TerminalProgress, review_total
from mock_server.scenario import parse

WORLD = parse("""
name: progress
seed: 3
partners:
  - {id: 11111111-2222-4333-8444-555555555555, name: P, apiKey: p-key, apiSecret: p-secret}
businessUnits:
  - {id: aaaaaaaaaaaaaaaaaaaaaaaa, domain: a.example, plan: free, reviews: {generate: 45000}}
  - id: bbbbbbbbbbbbbbbbbbbbbbbb
    domain: b.example
    plan: free
    reviews: [{stars: 5, text: listed}]
generatedBusinessUnits: {generate: 2, reviewsPerUnit: 10}
""", "<progress world>")


class Terminal(io.StringIO):
    def isatty(self):
        return True


class SmallWorldProgress(TerminalProgress):
    SHOWN_FROM = 1000  # so a world of seconds' worth of reviews is not needed to see it
    EVERY = 0          # every batch drawn


def test_review_total_counts_generated_listed_and_generated_units():
    # the generated units draw 0..2*reviewsPerUnit each from the seed: 19 and 16 here
    assert review_total(WORLD) == 45000 + 1 + 19 + 16


def test_loading_on_a_terminal_draws_reviews_written_of_the_total_then_clears_the_line():
    terminal = Terminal()
    progress = SmallWorldProgress(WORLD, terminal)
    create_app({"SCENARIO": WORLD, "LOAD_PROGRESS": progress})
    progress.finish()
    text = terminal.getvalue()
    # batches of 20,000 rows, per unit
    assert "\rLoading the world 'progress': 20,000 of 45,036 reviews (44%)" in text
    assert "\rLoading the world 'progress': 45,036 of 45,036 reviews (100%)" in text
    assert text.endswith("\r\033[K")
    assert progress.done == 45036


def test_loading_without_a_terminal_writes_nothing():
    log = io.StringIO()  # a pipe, a CI log
    progress = SmallWorldProgress(WORLD, log)
    create_app({"SCENARIO": WORLD, "LOAD_PROGRESS": progress})
    progress.finish()
    assert log.getvalue() == ""
    assert progress.done == 45036


def test_a_small_world_stays_quiet_even_on_a_terminal():
    terminal = Terminal()
    progress = TerminalProgress(WORLD, terminal)  # below the 100,000 reviews it takes to be shown
    create_app({"SCENARIO": WORLD, "LOAD_PROGRESS": progress})
    progress.finish()
    assert terminal.getvalue() == ""
