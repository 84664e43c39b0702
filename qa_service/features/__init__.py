"""Use cases shared by every front end: API, pages, CLI and worker."""
