"""Progress bars for long runs (tqdm on stderr; silent unless enabled)."""

from __future__ import annotations

import contextlib
import sys

from tqdm import tqdm

_state = {"enabled": False, "main": None}


def enable(flag: bool) -> None:
    _state["enabled"] = flag


def main_bar(total: int):
    bar = tqdm(total=total, desc="efast", unit="node", file=sys.stderr, disable=not _state["enabled"],
               leave=True, dynamic_ncols=True)
    _state["main"] = bar
    return bar


def node_done(process_id: str) -> None:
    bar = _state["main"]
    if bar is not None:
        bar.set_postfix_str(process_id)
        bar.update(1)


@contextlib.contextmanager
def sub_bar(total: int, unit: str):
    bar = tqdm(total=total, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True,
               disable=not _state["enabled"] or total < 2, position=1)
    try:
        yield bar
    finally:
        bar.close()
