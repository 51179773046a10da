"""The attack suites of issue 15: hostile input of every kind, from loopback servers."""
