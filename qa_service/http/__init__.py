"""FastAPI pieces both HTTP adapters share (API routers and page routes): the database
session, the signed-in user, role checks."""
