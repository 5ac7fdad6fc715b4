"""What ``verbose`` prints while training, with Keras' meanings of 0, 1 and 2.

``verbose=1`` draws a progress bar over the epochs with the latest losses,
the elapsed time and an estimate of the time left. On a terminal it is
redrawn in place (``"\\r"``); when stdout is not a terminal (a log file, a
notebook, a CI log) carriage returns would pile up or be lost, so it
prints plain lines instead, one each time the bar passes a tenth of the
epochs. ``verbose=2`` (or more) prints one line per epoch, and 0 nothing.
"""

from __future__ import annotations

import sys
import time

BAR_WIDTH = 30


def format_logs(logs: dict) -> str:
    """``" - loss: 0.0123 - val_loss: 0.0145"`` for the entries of ``logs``."""
    return "".join(f" - {key}: {value:.6g}" for key, value in logs.items())


def format_duration(seconds: float) -> str:
    """``"4.2s"``, ``"1:05"`` or ``"2:03:07"``."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class Progress:
    """Reports the epochs ``first + 1`` to ``last`` of one training call.

    Epochs are numbered from 1, as in Keras; with ``warm_start`` or
    ``partial_fit`` they continue the estimator's count.
    """

    def __init__(self, verbose: int, first: int, last: int) -> None:
        self.verbose = int(verbose)
        self.first, self.last = first, last
        self.stream = sys.stdout
        isatty = getattr(self.stream, "isatty", None)
        self.in_place = bool(isatty and isatty())
        self._start = time.perf_counter()
        self._shown = 0  # characters of the bar on screen (in place)
        self._tenths = -1  # the last tenth printed as a plain line

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def begin(self, logs: dict) -> None:
        """Before the first epoch; ``logs`` holds the starting ``val_loss``
        with early stopping."""
        if self.verbose == 1:
            self._bar(self.first, logs)
        elif self.verbose >= 2 and logs:
            self._write(f"Epoch {self.first}/{self.last}{format_logs(logs)}\n")

    def epoch_end(self, epoch: int, logs: dict, seconds: float) -> None:
        """After epoch ``epoch`` (from 1), which took ``seconds``."""
        if self.verbose == 1:
            self._bar(epoch, logs)
        elif self.verbose >= 2:
            self._write(f"Epoch {epoch}/{self.last}{format_logs(logs)} - {seconds:.2f}s\n")

    def end(self, message: str | None = None) -> None:
        """After the last epoch; ``message`` says why training stopped early."""
        if self.verbose == 1 and self.in_place and self._shown:
            self._write("\n")
        if message and self.verbose:
            self._write(message + "\n")

    def _bar(self, epoch: int, logs: dict) -> None:
        done, total = epoch - self.first, self.last - self.first
        filled = BAR_WIDTH * done // total
        bar = "=" * filled + (">" if filled < BAR_WIDTH else "") + "." * (BAR_WIDTH - filled - 1)
        elapsed = time.perf_counter() - self._start
        # Assumes the remaining epochs take as long as the ones so far, and
        # that all max_iter epochs run (early stopping may end sooner).
        eta = format_duration(elapsed / done * (total - done)) if done else "?"
        line = (
            f"Epoch {epoch}/{self.last} [{bar}] {100 * done // total:3d}% - "
            f"{format_duration(elapsed)} - ETA {eta}{format_logs(logs)}"
        )
        if self.in_place:
            # Spaces cover the end of a longer previous line.
            self._write("\r" + line + " " * max(self._shown - len(line), 0))
            self._shown = len(line)
        elif 10 * done // total > self._tenths:
            self._tenths = 10 * done // total
            self._write(line + "\n")
