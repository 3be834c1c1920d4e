"""Pieces every layer uses: JSONL tables, atomic writes, quiet library set-up."""
