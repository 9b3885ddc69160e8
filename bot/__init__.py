"""videobot core: platform-neutral request model, vendors, job engine, quotas and storage."""

__version__ = "0.1.0"
