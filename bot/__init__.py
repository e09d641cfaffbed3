"""The hotline application: channels, services, web, command line and settings."""
