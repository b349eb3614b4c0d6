"""Text to padded integer sequences (keras_text_to_sequences)."""

from bad_inputs import Case

CASES: dict[str, Case] = {}
