"""Damaged HDF5 model files (one byte or a few flipped) end in a result or one error line, never a crash or hang.

The fuzz itself is tests/model_file_fuzz.py; each variant is a test of its own
(xdist spreads them; a failure's id names the file, the tool, and each offset
with its old and new byte, enough to make the file again:
``scripts/dev/fuzz_model_files.py --variants COUNT --seed SEED --only '<id>'``).
A bigger run: scripts/dev/fuzz_model_files.py --variants 600.
"""

from __future__ import annotations

import pytest
from model_file_fuzz import CONTROL_FORMS, KNOWN, REGIONS, make_variants, run_variant

# Most variants start TensorFlow in a fresh process. Measured on this project's two cores (December 2026,
# scripts/dev/fuzz_model_files.py --variants 100 --seed 1 --jobs 2): 70 % of the variants give results (a flip
# in free space, a name or a weight), at 6.5 CPU seconds each; a refusal took 1.8 (most come before TensorFlow
# starts); 5.4 on average; the unchanged files (two of them trained for 100 epochs) 75 together. 45 variants,
# the fixed ones and the unchanged files took 380 CPU seconds (3 minutes on 2 free cores). So 40 variants (2 a
# file and region) with one more fixed one; bigger runs: that script.
SEED, COUNT = 19, 40
VARIANTS = make_variants(COUNT, SEED)


@pytest.mark.parametrize("target, tool", sorted({(v.target, v.tool) for v in VARIANTS}))
def test_unchanged_file_gives_the_expected_outputs(target, tool, tmp_path):
    """The control: the flips, not the set-up, decide the variants' outcomes."""
    assert (target, tool) in CONTROL_FORMS
    outcome = run_variant(None, tmp_path, target=target, tool=tool)
    assert outcome.kind == "success", f"{outcome.kind}: {outcome.detail}"


@pytest.mark.parametrize("variant", VARIANTS, ids=[variant.name for variant in VARIANTS])
def test_flipped_model_file(variant, tmp_path, record_property):
    outcome = run_variant(variant, tmp_path)
    record_property("outcome", f"{outcome.kind} in {outcome.seconds:.1f} s (CPU {outcome.cpu_seconds:.1f} s): "
                               f"{outcome.detail[:500]}")
    assert not outcome.failed, f"{'+'.join(outcome.problems)}: {outcome.detail}"


def test_the_variants_reach_the_structures_and_the_known_offsets():
    """The seeded set covers every file and both tools, three quarters of it in the HDF5 structures, with the
    known flips."""
    assert {variant.target for variant in VARIANTS} == {target for target, _ in CONTROL_FORMS}
    assert {variant.tool for variant in VARIANTS} == {"predict", "train"}
    for region in REGIONS:
        assert {v.target for v in VARIANTS if v.region == region} == {target for target, _ in CONTROL_FORMS}
    assert VARIANTS[:len(KNOWN)] == list(KNOWN)
    assert {(v.target, v.edits[0][:2]) for v in KNOWN} >= {("hdf5_keras2_dense.h5", (1897, 0x01)),
                                                          ("hdf5_keras2_dense.h5", (5272, 0x13))}
    assert make_variants(COUNT, SEED) == VARIANTS  # the same set on every run, so a failure can be reproduced
