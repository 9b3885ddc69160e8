"""The money a job cost the operator, written with its settling (bot.spend prices it)."""

from __future__ import annotations

from dataclasses import replace

from bot.jobs.kernel import Kernel
from bot.models import Job
from bot.spend import job_spend
from bot.storage.base import JobPatch


def priced_model(k: Kernel, job: Job) -> str:
    """The model the vendor rendered: the one asked for, else that vendor's default."""
    if job.request.model:
        return job.request.model
    vendor = k.vendors.get(job.vendor or "")
    spec = vendor.capabilities.pick(job.request.mode, None) if vendor else None
    return spec.name if spec else "?"


def spend_patch(k: Kernel, job: Job, patch: JobPatch, *, delivered: bool) -> JobPatch:
    """`patch` plus the job's spend in USD; nothing spent when no vendor took the job."""
    if not job.vendor:
        return patch
    model = priced_model(k, job)
    usd = job_spend(
        k.settings.vendor_prices, job.vendor, model, job.request.duration,
        delivered=delivered, vendor_cost=job.vendor_cost,
    )  # fmt: skip
    return replace(patch, spend_usd=usd, spend_model=model, spent_at=k.clock())
