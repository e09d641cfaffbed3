"""Application services used by the channels, such as rendering printable documents."""
