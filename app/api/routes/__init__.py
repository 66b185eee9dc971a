"""The /v1 API: one module per resource, collected on one router."""

from fastapi import APIRouter

from app.api.routes import (
    categories,
    changes,
    deadlines,
    decisions,
    feeds,
    jurisdictions,
    platforms,
    rules,
    sources,
    webhooks,
)

router = APIRouter(prefix="/v1")
router.include_router(decisions.router)
router.include_router(feeds.router)  # before the catalog: /deadlines.ics and /changes.atom are fixed paths
for module in (platforms, categories, jurisdictions, rules, deadlines, sources, changes, webhooks):
    router.include_router(module.router)
