"""Self-hosted AI-assisted call quality inspection."""

__version__ = "0.1.0"
