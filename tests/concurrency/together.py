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


def paused(real: Callable, meeting: threading.Barrier, *, before: bool = False,
           then: Callable[[], object] = lambda: None) -> Callable:
    """`real`, with a wait at `meeting` for the other thread after it (before it, with
    before=True), then `then()`: to hold two requests at the same point, each past its checks
    and before its write. The wait gives up when the other never comes (the barrier's
    timeout): what a test checks for is that one was made to wait for the other."""
    def meet() -> None:
        try:
            meeting.wait()
        except threading.BrokenBarrierError:
            pass
        then()

    def run(*args, **kwargs):
        if before:
            meet()
            return real(*args, **kwargs)
        done = real(*args, **kwargs)
        meet()
        return done

    return run
