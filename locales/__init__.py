"""Gettext catalogs (messages.pot and <lang>/LC_MESSAGES/messages.po), shipped as package data."""
