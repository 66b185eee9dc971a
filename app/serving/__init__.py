"""The read side: the in-memory snapshot, the catalog copy, bounded caches and answer building."""
