"""The pattern checks, one module per area, registered by explicit import.

Hat 1 eCommerce & fulfillment: fulfillment, inventory. Hat 2 accounting, margin & cash:
margin, cash. Hat 3 sales & marketing: sales, marketing. Hat 4 ERP & systems integration:
integration. Hat 5 knowledge & automation: knowledge, efficiency. Hat 6 security & access:
security. Importing this package fills ``opskit.registry.REGISTRY``.
"""

from opskit.checks import (  # noqa: F401
    cash,
    efficiency,
    fulfillment,
    integration,
    inventory,
    knowledge,
    margin,
    marketing,
    sales,
    security,
)
