"""The thin shared floor under every feature: nothing here imports a feature."""
