"""Run a few people's loops at the same moment, each in its own thread."""

import threading
from collections.abc import Callable


def run_together(loops: dict[str, Callable[[], list]]) -> dict[str, list]:
    """Start every loop at once (a barrier) and return each one's results by name; an error
    in any thread fails the test."""
    start = threading.Barrier(len(loops))
    results: dict[str, list] = {}
    errors: list[BaseException] = []

    def run(name: str, loop: Callable[[], list]) -> None:
        try:
            start.wait()
            results[name] = loop()
        except BaseException as error:  # re-raised in the test's thread below
            errors.append(error)

    threads = [threading.Thread(target=run, args=item) for item in loops.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
