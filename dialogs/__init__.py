"""The conversation core: flows as data, an engine, validators. No transport, no database."""
