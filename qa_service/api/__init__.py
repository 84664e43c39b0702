"""The HTTP API: ``create_app`` builds the FastAPI application (``qa-service serve``)."""
