"""The /v1 API: one module per resource, collected on one router."""

from fastapi import APIRouter, Depends

from app.api.responses import one_value_each
from app.api.routes import (
    categories,
    changes,
    deadlines,
    decisions,
    feeds,
    jurisdictions,
    platforms,
    reviews,
    rules,
    sources,
    webhooks,
)

router = APIRouter(prefix="/v1")
router.include_router(decisions.router)  # refuses a repeated parameter itself, on the fast path too
# Every other route refuses a declared query parameter given twice, as the decision route does.
ONE_VALUE_EACH = [Depends(one_value_each)]
router.include_router(feeds.router, dependencies=ONE_VALUE_EACH)  # before the catalog: fixed paths
for module in (platforms, categories, jurisdictions, rules, reviews, deadlines, sources, changes, webhooks):
    router.include_router(module.router, dependencies=ONE_VALUE_EACH)
