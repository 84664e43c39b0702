"""Page routes, one module per area."""

from __future__ import annotations

from qa_service.web.routes import (
    calibrations,
    calls,
    coaching,
    dashboard,
    disputes,
    home,
    packs,
    qa,
)

ROUTERS = (
    home.router,
    calls.router,
    calls.data_router,
    qa.router,
    qa.data_router,
    disputes.router,
    packs.router,
    packs.data_router,
    dashboard.router,
    coaching.router,
    calibrations.router,
)
