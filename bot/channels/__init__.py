"""Channel adapters: they translate between a channel's format and Inbound/Reply, nothing more."""
