"""Training configs as documents (SPEC part E, issue 11): reading what a run will use.

``load.py`` makes a config a document of kind ``config`` (``detect.py`` recognises one by its
content; ``mixlint_configs`` ini lines name others); ``export.py`` writes it as a manifest
(``mixlint import``); ``measure.py`` counts exact tokens from its tokenized data
(``tokenized.py``). The readers:

- ``shell.py`` reads launch scripts statically (never running them): the words each flag is
  given, and what only running the script would tell;
- ``blends.py`` turns Megatron-style ``W P W P ...`` lists (and the bigcode weighted-split form)
  into normalised weights per data prefix, with unique source names;
- ``neox.py`` reads a GPT-NeoX config's training blend (both key spellings, JSON-style YAML);
- ``megatron.py`` reads Megatron-LM and NeMo blends: launch scripts (``--data-path``, args files,
  per-split JSON), YAML ``data_prefix``, blend JSON ``datasets``;
- ``olmo.py`` reads OLMo ``data.paths``, OLMo-core mix files and nanotron ``data_stages``;
- ``catalogue.py`` reads the source catalogue (``mixlint.catalog.yaml``): data paths by glob to
  names, domains, licences, languages, cards;
- ``mixture.py`` makes a blend the mixture model (names from the catalogue, the config or the
  paths; weights; a path read twice as epochs 2);
- ``dolma.py`` reads Dolma mixer ``streams`` and DCLM tokenized-dataset ``sources``;
- ``streaming.py`` reads llm-foundry / MosaicML Streaming ``streams`` (proportion, repeat,
  choose, natural proportions from the local MDS ``index.json``).
"""
