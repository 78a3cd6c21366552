"""Helpers shared by the publishing tests: a hand-made fixture UDP, servers on 127.0.0.1."""
