"""Embeds and the public explorer: the web component, the iframe card, badges and server-rendered pages."""
