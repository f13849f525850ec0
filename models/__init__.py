"""Forecasting models for contact volume and handle time. A leaf library: never imports wfm."""
