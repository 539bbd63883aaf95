"""opskit."""
