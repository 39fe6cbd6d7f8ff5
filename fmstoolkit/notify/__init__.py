"""Reaching freelancers: a durable outbox drained through email and Telegram channels.

``outbox`` queues and renders messages, ``dispatcher`` drains what is due through the
channels in ``email`` and ``telegram``; ``message`` holds what they share.
"""
