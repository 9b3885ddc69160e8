"""The job engine, split by phase over a shared kernel (see bot/jobs/engine.py)."""

from bot.jobs.engine import JobEngine
from bot.jobs.settle import CancelResult

__all__ = ["CancelResult", "JobEngine"]
