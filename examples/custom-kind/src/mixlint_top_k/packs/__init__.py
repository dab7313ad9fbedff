"""Rule packs: each NAME.yaml here is `top-k:NAME`."""
