"""The built-in rule packs: YAML files named mixlint:NAME (``NAME.yaml``). Data only."""
