"""The Teams app package: template, icons, Microsoft's schema, and the build (python -m manifest.build)."""
