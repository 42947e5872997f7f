"""Detector(**settings): every setting by its Rust name, validated, named in
errors; settings() round trip; pickling."""

import copy
import json
import pickle

import neardup
import pytest

DEFAULTS = {
    "shingle_size": 3,
    "num_hashes": 128,
    "threshold": 0.5,
    "bands_rows": None,
    "seed": 0,
    "unit": "sentence",
    "min_words": 15,
    "max_gap": 5,
    "max_bucket": 1000,
    "anchor_words": 8,
    "max_df": 1000,
    "similar_units": False,
    "boilerplate_contexts": 10,
    "report_boilerplate": True,
    "rewritten": False,
    "rewritten_candidates": True,
    "stem_chars": 5,
}

CHANGED = {
    "shingle_size": 4,
    "num_hashes": 64,
    "threshold": 0.6,
    "bands_rows": (8, 4),
    "seed": 2**64 - 1,
    "unit": ("window", 20),
    "min_words": 12,
    "max_gap": 3,
    "max_bucket": 50,
    "anchor_words": 6,
    "max_df": 7,
    "similar_units": True,
    "boilerplate_contexts": 0,
    "report_boilerplate": False,
    "rewritten": True,
    "rewritten_candidates": False,
    "stem_chars": 0,
}


def test_defaults_are_the_crates():
    assert neardup.Detector().settings() == DEFAULTS
    assert list(neardup.Detector().settings()) == list(DEFAULTS)
    assert repr(neardup.Detector()) == "Detector()"


def test_every_setting_round_trips():
    d = neardup.Detector(**CHANGED)
    assert d.settings() == CHANGED
    assert neardup.Detector(**d.settings()) == d
    assert d != neardup.Detector()
    assert (d.bands, d.rows) == (8, 4)
    assert (d.max_df, d.max_bucket, d.boilerplate_contexts, d.min_words) == (7, 50, 0, 12)
    assert d.anchor == 6 and d.similar_units and not d.report_boilerplate and d.threshold == 0.6
    assert "max_df=7" in repr(d) and "unit=('window', 20)" in repr(d)
    # Through JSON (tuples come back as lists).
    assert neardup.Detector(**json.loads(json.dumps(d.settings()))) == d
    for unit in ["paragraph", "sentence", ("window", 9), ["window", 9]]:
        assert neardup.Detector(unit=unit).settings()["unit"] in (unit, tuple(unit))


def test_anchor_counts_as_min_words_when_larger():
    d = neardup.Detector(min_words=5, anchor_words=8)
    assert d.anchor == 5
    # Derived LSH bands for the default threshold.
    assert neardup.Detector().bands * neardup.Detector().rows <= 128


@pytest.mark.parametrize("protocol", range(0, pickle.HIGHEST_PROTOCOL + 1))
def test_pickling_round_trips(protocol):
    d = neardup.Detector(**CHANGED)
    back = pickle.loads(pickle.dumps(d, protocol=protocol))
    assert back == d and back.settings() == CHANGED
    assert copy.deepcopy(d) == d and copy.copy(d) == d


@pytest.mark.parametrize(
    "name, value",
    [
        ("shingle_size", 0),
        ("shingle_size", 33),
        ("num_hashes", 0),
        ("threshold", 0.0),
        ("threshold", 1.5),
        ("threshold", float("nan")),
        ("bands_rows", (0, 4)),
        ("bands_rows", (64, 4)),
        ("bands_rows", (1, 2, 3)),
        ("unit", "chapter"),
        ("unit", ("window", 2)),
        ("unit", ("windows", 20)),
        ("min_words", 2),
        ("min_words", -1),
        ("anchor_words", 2),
        ("max_df", 1),
        ("max_gap", 1001),
        ("boilerplate_contexts", 1),
        ("max_bucket", 0),
        ("seed", -1),
        ("seed", 2**64),
        ("max_df", 2**70),
    ],
)
def test_invalid_values_raise_config_error_naming_the_setting(name, value):
    with pytest.raises(neardup.ConfigError) as e:
        neardup.Detector(**{name: value})
    assert isinstance(e.value, ValueError) and isinstance(e.value, neardup.Error)
    assert e.value.setting == name
    assert name in str(e.value)
    assert e.value.reason


@pytest.mark.parametrize(
    "name, value",
    [
        ("min_words", "15"),
        ("min_words", 15.0),
        ("min_words", True),
        ("similar_units", 1),
        ("similar_units", "yes"),
        ("threshold", "0.5"),
        ("threshold", True),
        ("unit", 3),
        ("unit", b"sentence"),
        ("bands_rows", "8,4"),
        ("bands_rows", 8),
        ("seed", None),
    ],
)
def test_wrong_types_raise_type_error_naming_the_setting(name, value):
    with pytest.raises(TypeError) as e:
        neardup.Detector(**{name: value})
    assert name in str(e.value)


def test_unknown_settings_and_positional_arguments_raise_type_error():
    with pytest.raises(TypeError, match="unexpected keyword argument 'min_word'"):
        neardup.Detector(min_word=8)
    with pytest.raises(TypeError):
        neardup.Detector(8)
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        neardup.Index(foo=1)


def test_exception_hierarchy():
    for cls in [
        neardup.ConfigError,
        neardup.ArgumentError,
        neardup.DuplicateIdError,
        neardup.CorruptIndexError,
        neardup.IndexVersionError,
    ]:
        assert issubclass(cls, neardup.Error) and issubclass(cls, ValueError)
        assert cls.__module__ == "neardup"
