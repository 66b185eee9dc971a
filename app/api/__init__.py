"""The /v1 API: one module per resource, collected on one router."""

from fastapi import APIRouter

from app.api import decisions

router = APIRouter(prefix="/v1")
router.include_router(decisions.router)
