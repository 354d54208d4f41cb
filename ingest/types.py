"""Plain types that flow through ingestion, apart from storage."""

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ParsedRecord:
    """One document as read from an input file, before it is stored."""

    file: str
    line: int
    external_id: str
    title: str
    abstract: str = ""
    full_text: str = ""
    metadata: dict = field(default_factory=dict)
    labels: tuple[str, ...] = ()  # subjects given in the input: node codes or label paths
    warnings: tuple[tuple[str, str], ...] = ()  # (field, reason): input left out, e.g. a full text cut

    @property
    def content_hash(self) -> str:
        """A digest of the text the classifier sees and of the metadata, to skip unchanged re-ingests."""
        digest = hashlib.sha256()
        metadata = repr(sorted(self.metadata.items()))
        for part in (self.title, self.abstract, self.full_text, metadata, "\x1f".join(self.labels)):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        return digest.hexdigest()
