"""Everything that reads or writes bytes: targets in, Ĝ out.

- :mod:`~logprune.construct.io.containers`: guarded ``.npz``/``.npy``/zip/safetensors containers (headers,
  dtypes and sizes checked before any data is read);
- :mod:`~logprune.construct.io.checkpoint`: PyTorch and safetensors checkpoints as named arrays (never
  unpickled beyond ``weights_only``); :mod:`~logprune.construct.io.state_dict`: a state_dict's keys as the
  layers of an MLP;
- :mod:`~logprune.construct.io.targets`: F and inputs from files;
- :mod:`~logprune.construct.io.ghat_file`: the Ĝ file format; :mod:`~logprune.construct.io.torch_export`:
  Ĝ as a plain torch model;
- :mod:`~logprune.construct.io.strict_json`: strict comparison of JSON records (``verify``).
"""
