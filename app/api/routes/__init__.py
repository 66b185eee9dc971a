"""The /v1 API: one module per resource, collected on one router."""

from fastapi import APIRouter

from app.api.routes import categories, changes, deadlines, decisions, jurisdictions, platforms, reviews, rules, sources

router = APIRouter(prefix="/v1")
router.include_router(decisions.router)
for module in (platforms, categories, jurisdictions, rules, reviews, deadlines, sources, changes):
    router.include_router(module.router)
