"""Analysis, data only: the exact state space, exploration (probabilities, dominance,
coverage, sampling), reachability, diagrams of a scenario's structure."""
