"""The audit log of admin actions, on django-auditlog (docs/audit.md).

``registration`` says which models are recorded and which of their fields never are; ``middleware`` and
``cli`` say who acted and from where; ``services.record`` writes the actions that are not a plain model
save (stored data deleted, bulk restore started, host key forgotten); the pages, API and admin only read.
"""
