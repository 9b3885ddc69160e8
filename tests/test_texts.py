"""The message catalogue: one key once, every key in every language, merged from its subjects."""

from __future__ import annotations

import pytest

from bot import texts
from bot.texts import (
    account,
    admin,
    commands,
    failures,
    groups,
    options,
    payments,
    refusals,
    results,
    settings,
    status,
    upscale,
)

SUBJECTS = [
    commands, status, refusals, options, failures, admin, upscale, account, results, payments,
    groups, settings,
]  # fmt: skip


def test_catalog_is_every_subject_merged() -> None:
    keys = [key for subject in SUBJECTS for key in subject.TEXTS]
    assert len(keys) == len(set(keys)), "a key stands in two subjects"
    assert list(texts.CATALOG) == keys


def test_every_key_has_every_locale() -> None:
    for key, entry in texts.CATALOG.items():
        assert set(entry) == set(texts.LOCALES), key
        assert all(entry[locale].strip() for locale in texts.LOCALES), key


def test_merge_refuses_a_key_defined_twice() -> None:
    entry = {"en": "Hi", "zh": "你好"}
    with pytest.raises(ValueError, match="'hello' is defined twice"):
        texts.merge({"hello": entry}, {"hello": entry})


def test_merge_refuses_a_missing_language() -> None:
    with pytest.raises(ValueError, match="'hello' lacks zh"):
        texts.merge({"hello": {"en": "Hi"}})
    with pytest.raises(ValueError, match="'hello' lacks zh"):
        texts.merge({"hello": {"en": "Hi", "zh": ""}})


def test_t_and_helpers_keep_working_from_the_package() -> None:
    assert texts.t("zh-CN", "status_done") == "✅ 完成。"
    assert texts.t("en-US", "choice_seconds", n=5) == "5 seconds"
    assert texts.progress_bar(0.5, width=4) == "▰▰▱▱ 50%"
    assert texts.duration_text(3720, "zh") == "1 小时 2 分钟"
