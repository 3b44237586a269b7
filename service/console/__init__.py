"""The operator console: sign-in per institution, Meter Management, provider health, routing."""
