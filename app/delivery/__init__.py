"""Webhooks: events made from writes and days, and the deliverer that sends them, signed, with retries."""
