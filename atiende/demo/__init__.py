"""Spanish demo data: a believable desk built only through the services.

Run ``atiende load_demo`` (or ``python -m django load_demo``); see ``loader.load_demo``. A plain
package, not a Django app: it has no models and no migrations.
"""
