"""Where a job goes: each vendor's health (breaker), its capacity, and its recent render
times; the job engine's queue asks these which vendor a waiting job may go to now."""
