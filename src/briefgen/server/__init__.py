"""The warm build server (``briefgen serve``) and its thin client.

:mod:`.protocol` and :mod:`.client` use the standard library only (a ``briefgen build``
that finds a server loads nothing else); :mod:`.warm` keeps what builds read in memory;
:mod:`.daemon` listens on a local socket that only its own user can open.
"""
