"""Pure domain model: dataclasses and the logic on them. No FastAPI, SQLAlchemy or torch here."""
