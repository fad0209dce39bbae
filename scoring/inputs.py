"""The scoring engine's inputs besides the answers: an instrument's frames as DataFrames (one query per
table) with the signature of everything that affects a score, and the fingerprint of each collection's
counted answers (input_hashes).

The answers frames themselves come from the survey app (assessments.snapshots: live_answers, the
counted answers now; snapshot_answers, as first submitted). bench/recompute.py measures the loads.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from instruments.models import Indicator, Instrument, Option, Question, RespondentGroup, Variable
from scoring import engine


@dataclass
class InstrumentData:
    frames: engine.InstrumentFrames
    variable_codes: dict[int, str]
    indicator_codes: dict[int, str]
    group_codes: dict[int, str]
    signature: str  # changes whenever anything that affects a score changes


def _frame(rows, columns) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns)


def band_spec(instrument: Instrument) -> engine.BandSpec:
    scheme = instrument.band_scheme
    bands = list(scheme.bands.order_by("order"))
    # str(): a scheme just created in this process holds enum members, one read back holds their values;
    # both must give the same BandSpec (its repr is part of the instrument signature).
    return engine.BandSpec(
        kind=str(scheme.kind),
        labels=tuple(b.label for b in bands),
        uppers=tuple(float(b.upper) for b in bands if b.upper is not None),
        scale_min=float(scheme.scale_min),
        scale_max=float(scheme.scale_max),
        decimals=scheme.decimals,
        relative_top=str(scheme.relative_top),
    )


def _instrument_rows(instrument: Instrument) -> tuple:
    """The instrument's scoring tables as raw rows (six small queries) and its band spec: everything
    instrument_data derives its frames and signature from."""
    return (
        tuple(
            Question.objects.filter(instrument=instrument).values_list("id", "indicator_id", "kind", "weight")
        ),
        tuple(
            Indicator.objects.filter(variable__instrument=instrument).values_list(
                "id", "variable_id", "weight", "code"
            )
        ),
        tuple(Variable.objects.filter(instrument=instrument).values_list("id", "weight", "code")),
        tuple(
            Option.objects.filter(question__instrument=instrument).values_list(
                "question_id", "value", "score"
            )
        ),
        tuple(
            Question.groups.through.objects.filter(question__instrument=instrument).values_list(
                "question_id", "respondentgroup_id"
            )
        ),
        tuple(RespondentGroup.objects.filter(instrument=instrument).values_list("id", "min_quota", "code")),
        band_spec(instrument),
    )


def instrument_data(instrument: Instrument) -> InstrumentData:
    """The instrument's frames and signature, read now. Building the frames and hashing them costs far
    more than the queries (a period task reads them once per province chunk), so that part is kept per
    process for the last few distinct row sets: equal rows give an equal result, and each caller gets
    its own copy of the frames."""
    cached = _build(_instrument_rows(instrument))
    frames = cached.frames
    return replace(
        cached,
        variable_codes=dict(cached.variable_codes),
        indicator_codes=dict(cached.indicator_codes),
        group_codes=dict(cached.group_codes),
        frames=replace(
            frames,
            questions=frames.questions.copy(),
            indicators=frames.indicators.copy(),
            variables=frames.variables.copy(),
            options=frames.options.copy(),
            asked=frames.asked.copy(),
            groups=frames.groups.copy(),
        ),
    )


@lru_cache(maxsize=8)
def _build(rows: tuple) -> InstrumentData:
    question_rows, indicator_rows, variable_rows, option_rows, asked_rows, group_rows, bands = rows
    questions = _frame(question_rows, ["question_id", "indicator_id", "kind", "weight"]).astype(
        {"weight": "float64"}
    )
    indicators = _frame(indicator_rows, ["indicator_id", "variable_id", "weight", "code"]).astype(
        {"weight": "float64"}
    )
    variables = _frame(variable_rows, ["variable_id", "weight", "code"]).astype({"weight": "float64"})
    options = _frame(option_rows, ["question_id", "value", "score"]).astype(
        {"value": "float64", "score": "float64"}
    )
    asked = _frame(asked_rows, ["question_id", "group_id"])
    groups = _frame(group_rows, ["group_id", "min_quota", "code"])
    frames = engine.InstrumentFrames(
        questions=questions,
        indicators=indicators,
        variables=variables,
        options=options,
        asked=asked,
        groups=groups,
        bands=bands,
    )
    digest = hashlib.sha256(repr(bands).encode())
    for frame in (questions, indicators, variables, options, asked, groups):
        ordered = frame.sort_values(list(frame.columns)).reset_index(drop=True)
        digest.update(pd.util.hash_pandas_object(ordered, index=False).to_numpy().tobytes())
    return InstrumentData(
        frames=frames,
        variable_codes=dict(zip(variables["variable_id"], variables["code"], strict=True)),
        indicator_codes=dict(zip(indicators["indicator_id"], indicators["code"], strict=True)),
        group_codes=dict(zip(groups["group_id"], groups["code"], strict=True)),
        signature=digest.hexdigest(),
    )


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over the 64-bit result (wrapping arithmetic)."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def input_hashes(answers: pd.DataFrame, signature: str) -> dict[int, str]:
    """A fingerprint per collection of its counted answers and the instrument signature.

    Each row is mixed into 64 bits and the rows of a collection are summed (mod 2**64), so row order
    never matters, equal inputs give equal fingerprints, and 4.8 million rows take well under a second.
    """
    if answers.empty:
        return {}
    with np.errstate(over="ignore"):
        h = _mix(answers["questionnaire_id"].to_numpy().astype(np.uint64))
        h = _mix(h ^ answers["question_id"].to_numpy().astype(np.uint64))
        h = _mix(h ^ answers["group_id"].to_numpy().astype(np.uint64))
        h = _mix(h ^ answers["value"].to_numpy(dtype="float64").view(np.uint64))
    collections = answers["collection_id"].to_numpy()
    order = np.argsort(collections, kind="stable")
    collections, h = collections[order], h[order]
    starts = np.flatnonzero(np.r_[True, collections[1:] != collections[:-1]])
    sums = np.add.reduceat(h, starts)
    counts = np.diff(np.r_[starts, len(h)])
    return {
        int(collections[i]): hashlib.sha256(f"{signature}:{int(s)}:{int(n)}".encode()).hexdigest()
        for i, s, n in zip(starts, sums, counts, strict=True)
    }
