import os

import pytest

from support import SEED


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """Build the seed example once per test session (both formats)."""
    from briefgen.pipeline import build

    out = tmp_path_factory.mktemp("seed")
    result = build(SEED, out)
    return result, out


@pytest.fixture(scope="session")
def seed_build_fresh(tmp_path_factory):
    """The seed built as on a fresh machine: only the fonts bundled with briefgen."""
    from briefgen.pipeline import build

    out = tmp_path_factory.mktemp("seed_fresh")
    old = os.environ.get("BRIEFGEN_NO_SYSTEM_FONTS")
    os.environ["BRIEFGEN_NO_SYSTEM_FONTS"] = "1"
    try:
        result = build(SEED, out, ["pdf"])
    finally:
        if old is None:
            os.environ.pop("BRIEFGEN_NO_SYSTEM_FONTS", None)
        else:
            os.environ["BRIEFGEN_NO_SYSTEM_FONTS"] = old
    return result, out
