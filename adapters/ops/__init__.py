"""The operator's tools: `videobot doctor`, the admin commands and the metrics server.

They check the vendor keys and time the vendor calls, so unlike the chat adapters they may
speak to the vendor clients directly; the database they reach only through the `Store`.
"""
