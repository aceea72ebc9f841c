"""Reading and checking scenario files: YAML with positions, the loader, the frozen
model, conditions, vocabularies, semantic checks, the JSON Schema, where scenarios live."""
