import json

from options_table import SHIPPED, derive
from shared import shared_json


def test_shipped_option_table_matches_the_spec():
    spec = shared_json("spec", "nats-options.json")
    assert json.loads(SHIPPED.read_text()) == derive(spec)
