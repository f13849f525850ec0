"""Roster solvers around OR-Tools CP-SAT. A leaf library: never imports wfm."""
