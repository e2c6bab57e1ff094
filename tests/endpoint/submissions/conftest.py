"""What the submission tests share: a home serving the session's release, a whole copy of data/ that acceptance
writes into (examples and Uwazi mappings included: submissions may name them), and the site on both with the
curator token."""

import shutil

import pytest

from footprints_graph.web import EndpointConfig, create_app
from support import ROOT
from support.security import CURATOR_TOKEN


@pytest.fixture
def data(tmp_path):
    return shutil.copytree(ROOT / "data", tmp_path / "data")


@pytest.fixture
def client(home, data):
    return create_app(EndpointConfig(home=home, data=data, query_timeout=5, curator_token=CURATOR_TOKEN)).test_client()
