"""api: the FastAPI shell over qa/ and retriever/, plus the widget's static files."""

from api.app import create_app
from api.engine import Engine, EngineHolder, load_engine
from api.feedback import FeedbackStore
from api.settings import Settings, get_settings

__all__ = [
    "Engine",
    "EngineHolder",
    "FeedbackStore",
    "Settings",
    "create_app",
    "get_settings",
    "load_engine",
]
