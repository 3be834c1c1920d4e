"""inspect solvers: system prompt, forced choice, and the multi-turn conversation with a simulated user."""
