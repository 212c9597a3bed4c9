"""Wrappers around the external engines (restic, rclone, wireguard, ssh).

Plain library code: no Django models. Every subprocess goes through ``proc``; each wrapper returns
dataclasses and raises typed errors that carry a human message.
"""
