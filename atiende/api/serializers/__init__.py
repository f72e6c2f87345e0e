"""Explicit serializers: output shapes (``*Serializer``) and input shapes (``*Input``).

Inputs are strict (unknown keys are refused) and only parse; the rules live in the services.
"""
