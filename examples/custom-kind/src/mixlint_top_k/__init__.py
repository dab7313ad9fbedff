"""A pytest-mixlint extension: the ``top-k-share`` kind and the ``top-k:concentration`` pack."""
