"""Errors raised while reading a taxonomy."""


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be imported; names the file, row and reason."""

    def __init__(self, file: str, row: int, reason: str) -> None:
        self.file, self.row, self.reason = file, row, reason
        super().__init__(f"{file}: row {row}: {reason}")
