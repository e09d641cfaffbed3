"""The support directory: places and hotlines, the 2025 communes, and fast search."""
