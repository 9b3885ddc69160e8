"""Chat platform adapters: they turn platform events into core calls and core events into
messages. Only this package imports telegram or discord."""
