"""The lengths each official Runway model takes, and where each set comes from.

The SDK (runwayml 5.24.0) types `duration` as a literal for some models (`Literal[4, 6, 8]`
for Veo, `Literal[5, 10]` for Kling 2.5), or as `int` with the range in its docstring
(gen4.5's "an integer from 2 to 10", Gemini Omni Flash's "from 3 to 10", Kling 3.0/O3's
multi-shot total "between 3 and 15 seconds"); the catalogue test reads those from the SDK
itself. For a bare `int` with no range, the sets below come from the documents named beside
each (Runway's own where it has one, else the model vendor's or the platforms that document
its API); where no document states the lengths, 5 and 10 s, which every model here takes.
"""

from __future__ import annotations


def seconds(low: int, high: int) -> tuple[int, ...]:
    """Every whole second from `low` to `high`."""
    return tuple(range(low, high + 1))


# From the SDK's types and docstrings (checked by tests/test_runway_catalogue.py).
GEN45 = seconds(2, 10)  # "Must be an integer from 2 to 10"
GEMINI = seconds(3, 10)  # "a whole number from 3 to 10", "between 3 and 10 seconds"
KLING3 = seconds(3, 15)  # multiPrompt total "must be between 3 and 15 seconds"
VEO = (4, 6, 8)  # Literal[4, 6, 8]
KLING25 = (5, 10)  # Literal[5, 10]

# Bare `int` in the SDK; the documented lengths.
# Runway's own API reference (github.com/runwayml/skills, skills/rw-api-reference/SKILL.md):
# "Video duration: 2-10 seconds" for the Gen-4 family, gen4_turbo included.
GEN4_TURBO = seconds(2, 10)
# Seedance 2.0, 2.0 Fast, 2.0 Mini: 4-15 s in ByteDance's model card (arXiv 2604.14148) and
# BytePlus ModelArk (developer.civitai.com/orchestration/recipes/seedance: v2, v2-fast,
# v2-mini "4-15 s"); a later revision of Runway's API reference (runwayml/skills
# rw-api-reference, as mirrored at mcpservers.org) gives seedance2 "up to 15s".
SEEDANCE2 = seconds(4, 15)
# Seedance 2.5: "4-30 s" (BytePlus ModelArk, same civitai page; piapi.ai/seedance-2-5
# "accepts every integer duration from 4 to 30 seconds"); the SDK caps its references at 30 s.
SEEDANCE25 = seconds(4, 30)
# Wan 3.0: "up to 30 seconds" (Alibaba Cloud Model Studio, Wan3.0 video generation API
# reference); "any whole number from 2 to 30" (docs.leonardo.ai/docs/wan-30).
WAN3 = seconds(2, 30)
# Kling 4.0: "3 to 30 second clips" (Kling's in-app model, useapi.net's Kling API guide);
# "Set to 3 up to 30" (docs.leonardo.ai/docs/kling-40); wavespeed.ai/kling-4-api "3 to 30".
KLING4 = seconds(3, 30)
# Hailuo 3 (MiniMax H3): "Runway ... hailuo3 ... 768P or 2K, 5-15 seconds"
# (skills.sh/calesthio/openmontage/minimax-h3); "Accepts 5, 6, ... 15"
# (docs.leonardo.ai/docs/minimax-hailuo-03).
HAILUO3 = seconds(5, 15)
# MiniMax H3 Max: "Durations: 5 to 15 seconds" (skills.sh/finpeakinc/frevana-skills/
# minimax-h3-max, the OpenRouter route); one source only.
H3_MAX = seconds(5, 15)
# HappyHorse 1.0: duration "min 3, max 15" (ComfyUI's HappyHorse nodes, docs.comfy.org);
# "3s ... 15s" (docs.venice.ai/models/happyhorse-1-0).
HAPPYHORSE = seconds(3, 15)
# Grok Imagine 1.5 and 1.5 Lite: xAI's video API takes "Range [1, 15]" (Comfy Router's xAI
# schema, which lists both models) while docs.leonardo.ai/docs/grok-imagine-15 gives 3-15;
# the lengths both documents allow.
GROK = seconds(3, 15)
# No document found: wan3_prime (typed like wan3, documented nowhere apart).
UNDOCUMENTED = (5, 10)
